import assert from "node:assert/strict";
import {
  BACK_SYNC_SEGMENTS,
  EDGE_SYNC_SEGMENTS,
  liveP2PWindow,
  liveRank,
} from "../../player/live_role.ts";
import {
  ENGINE_PEER_PREFIX,
  peerIdPrefix,
  uploadsOf,
} from "../../p2p/peer_id.ts";

/** A full peer id as p2p-media-loader makes it from a prefix. */
const full = (prefix: string) => prefix + "a1B2";

Deno.test("peerIdPrefix(): the engine's prefix, when the viewer started, whether it uploads; 16 characters", () => {
  const prefix = peerIdPrefix(Date.UTC(2026, 11, 2), true, () => 0);
  assert.equal(prefix.length, 16);
  assert.ok(prefix.startsWith(ENGINE_PEER_PREFIX));
  assert.equal(prefix[14], "u");
  assert.equal(peerIdPrefix(Date.UTC(2026, 11, 2), false, () => 0)[14], "d");
  // Later starts sort later, whatever the random character.
  assert.ok(
    peerIdPrefix(1_000_000, true, () => 0.99) <
      peerIdPrefix(2_000_000, true, () => 0),
  );
});

Deno.test("uploadsOf(): the upload mark of our ids; other clients' ids say nothing", () => {
  assert.equal(uploadsOf(full(peerIdPrefix(1_000_000, true))), true);
  assert.equal(uploadsOf(full(peerIdPrefix(1_000_000, false))), false);
  assert.equal(uploadsOf("-WW0100-abcdefghijkl"), undefined, "WebTorrent");
  assert.equal(
    uploadsOf("-PM0203-abcdefXhijkl"),
    undefined,
    "p2p-media-loader's own random id: no mark where ours has it",
  );
});

Deno.test("liveRank(): the longest-watching uploader is the edge; newcomers rank behind it", () => {
  const first = peerIdPrefix(1_000_000, true, () => 0.1);
  const second = peerIdPrefix(5_000_000, true, () => 0.2);
  const third = peerIdPrefix(9_000_000, true, () => 0.3);
  assert.equal(liveRank(first, []), 0, "alone: the edge");
  assert.equal(liveRank(first, [full(second), full(third)]), 0);
  assert.equal(liveRank(second, [full(first), full(third)]), 1);
  assert.equal(liveRank(third, [full(first), full(second)]), 2);
  // The edge leaves: the next oldest takes over.
  assert.equal(liveRank(second, [full(third)]), 0);
});

Deno.test("liveRank(): viewers that do not upload never hold the edge, and never block it", () => {
  const phone = peerIdPrefix(1_000_000, false); // oldest, but on mobile data
  const desktop = peerIdPrefix(5_000_000, true);
  assert.equal(liveRank(desktop, [full(phone)]), 0, "the phone is skipped");
  assert.ok(liveRank(phone, [full(desktop)]) >= 1, "the phone stays back");
  // Other clients (not our prefix) neither.
  assert.equal(liveRank(desktop, ["-WW0100-abcdefghijkl"]), 0);
});

Deno.test("liveP2PWindow(): the next in line asks at once, later ones after a hop, all before their HTTP deadline", () => {
  const segment = 2;
  const newest = (BACK_SYNC_SEGMENTS - 1) * segment; // where the newest segment starts
  const first = liveP2PWindow(1, segment);
  const second = liveP2PWindow(2, segment);
  const later = liveP2PWindow(7, segment);
  assert.ok(
    first > newest,
    "covers the newest segment as soon as it is listed",
  );
  assert.ok(second < newest && later < second, "then later, in turns");
  assert.ok(later > 2 * segment, "always before the high-demand window");
  assert.ok(BACK_SYNC_SEGMENTS > EDGE_SYNC_SEGMENTS + 1);
});
