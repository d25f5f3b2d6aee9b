import assert from "node:assert/strict";
import {
  isBinaryId,
  parseMessage,
  ProtocolError,
} from "../../tracker/protocol.ts";
import { fakeSdp, id20 } from "../helpers/ws_client.ts";

const infoHash = "H8xgGJQ+9fDTmfjl7YpP";
const peerId = "-PM0203-kE6MddcR9c4a";
// A 20-character binary offer_id like the DESIGN.md sample's (which is shortened).
const offerId = "uùæ\u008b$(µ\u0014l87ª¦ï\ty/\u0000®;";

function announce(extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    action: "announce",
    info_hash: infoHash,
    peer_id: peerId,
    ...extra,
  });
}

function rejects(
  text: string,
  pattern: RegExp,
  context: { action?: string; infoHash?: string } = {},
) {
  assert.throws(() => parseMessage(text), (error: unknown) => {
    assert.ok(
      error instanceof ProtocolError,
      `expected a ProtocolError, got ${error}`,
    );
    assert.match(error.message, pattern);
    if ("action" in context) assert.equal(error.action, context.action);
    if ("infoHash" in context) assert.equal(error.infoHash, context.infoHash);
    return true;
  });
}

Deno.test("isBinaryId() accepts exactly 20 characters below U+0100", () => {
  assert.ok(isBinaryId(infoHash));
  assert.ok(isBinaryId(offerId));
  assert.ok(isBinaryId("\u0000".repeat(20)));
  assert.ok(!isBinaryId("short"));
  assert.ok(!isBinaryId("x".repeat(21)));
  assert.ok(!isBinaryId("€".repeat(20)));
  assert.ok(!isBinaryId(12345678901234567890));
});

Deno.test("parseMessage() reads a WebTorrent announce (DESIGN.md sample)", async (t) => {
  await t.step("with offers, numwant and counters", () => {
    const sdp = fakeSdp("offer");
    const message = parseMessage(announce({
      numwant: 5,
      uploaded: 0,
      downloaded: 0,
      event: "started",
      offers: [{ offer: { type: "offer", sdp }, offer_id: offerId }],
    }));
    assert.deepEqual(message, {
      kind: "announce",
      infoHash,
      peerId,
      event: "started",
      numwant: 5,
      left: undefined,
      offers: [{ offerId, offer: { type: "offer", sdp } }],
    });
  });
  await t.step("every event, and none", () => {
    for (const event of ["started", "update", "completed", "stopped"]) {
      assert.equal(
        (parseMessage(announce({ event })) as { event?: string }).event,
        event,
      );
    }
    assert.equal(
      (parseMessage(announce()) as { event?: string }).event,
      undefined,
    );
    assert.equal(
      (parseMessage(announce({ event: "" })) as { event?: string }).event,
      undefined,
    );
  });
  await t.step("left: 0 marks a seeder", () => {
    assert.equal(
      (parseMessage(announce({ left: 0 })) as { left?: number }).left,
      0,
    );
  });
  await t.step("offers beyond the limit are ignored, not refused", () => {
    const offers = Array.from(
      { length: 15 },
      (_, i) => ({
        offer: { type: "offer", sdp: "v=0" },
        offer_id: id20(`o${i}`),
      }),
    );
    assert.equal(
      (parseMessage(announce({ offers })) as { offers: unknown[] }).offers
        .length,
      10,
    );
  });
  await t.step("unknown extra fields are ignored", () => {
    assert.equal(
      parseMessage(announce({ trackerid: "x", foo: [1] })).kind,
      "announce",
    );
  });
});

Deno.test("parseMessage() reads a WebTorrent answer", () => {
  const toPeerId = "-PM0203-DNLJ8YoDbsSF";
  const message = parseMessage(
    announce({
      to_peer_id: toPeerId,
      offer_id: offerId,
      answer: { type: "answer", sdp: "v=0 a" },
    }),
  );
  assert.deepEqual(message, {
    kind: "answer",
    infoHash,
    peerId,
    toPeerId,
    offerId,
    answer: { type: "answer", sdp: "v=0 a" },
  });
});

Deno.test("parseMessage() reads scrapes of one, several or all info_hashes", () => {
  assert.deepEqual(parseMessage('{"action":"scrape"}'), {
    kind: "scrape",
    infoHashes: [],
  });
  assert.deepEqual(
    parseMessage(JSON.stringify({ action: "scrape", info_hash: infoHash })),
    {
      kind: "scrape",
      infoHashes: [infoHash],
    },
  );
  assert.deepEqual(
    parseMessage(
      JSON.stringify({ action: "scrape", info_hash: [infoHash, id20("b")] }),
    ),
    {
      kind: "scrape",
      infoHashes: [infoHash, id20("b")],
    },
  );
  rejects(
    JSON.stringify({ action: "scrape", info_hash: ["short"] }),
    /Invalid info_hash\[0\]/,
    { action: "scrape" },
  );
  rejects(
    JSON.stringify({ action: "scrape", info_hash: Array(256).fill(infoHash) }),
    /Too many info_hashes: 256, at most 255/,
  );
});

Deno.test("parseMessage() reads the simple signaling API", () => {
  assert.deepEqual(
    parseMessage('{"type":"announce","peerId":"alice","infoHash":"channel-1"}'),
    {
      kind: "simple-announce",
      peerId: "alice",
      infoHash: "channel-1",
    },
  );
  for (const type of ["offer", "answer", "ice"]) {
    assert.deepEqual(
      parseMessage(
        JSON.stringify({ type, from: "a", to: "b", data: { sdp: "x" } }),
      ),
      {
        kind: "simple-relay",
        type,
        from: "a",
        to: "b",
        data: { sdp: "x" },
      },
    );
  }
  rejects('{"type":"offer","from":"a","to":"b"}', /Missing data/);
  rejects(
    '{"type":"announce","peerId":"","infoHash":"c"}',
    /Invalid peerId: expected a non-empty string/,
  );
  rejects(
    JSON.stringify({
      type: "announce",
      peerId: "x".repeat(300),
      infoHash: "c",
    }),
    /Invalid peerId: 300 characters, at most 64/,
  );
  rejects('{"type":"dance"}', /Unknown type: "dance"/);
});

Deno.test("parseMessage() refuses bad frames with a clear failure reason", async (t) => {
  await t.step("not JSON, not an object, no action", () => {
    rejects("{nope", /Invalid message: not JSON/);
    rejects("[1,2]", /Invalid message: expected a JSON object/);
    rejects("null", /Invalid message: expected a JSON object/);
    rejects('"announce"', /Invalid message: expected a JSON object/);
    rejects("{}", /Invalid message: no action or type/);
    rejects('{"action":"steal"}', /Unknown action: "steal"/);
  });
  await t.step(
    "ids: missing, wrong type, wrong length, wide characters",
    () => {
      rejects('{"action":"announce"}', /Missing info_hash/, {
        action: "announce",
      });
      rejects(
        JSON.stringify({ action: "announce", info_hash: 7, peer_id: peerId }),
        /Invalid info_hash: expected a string, got number/,
      );
      rejects(
        JSON.stringify({
          action: "announce",
          info_hash: "abc",
          peer_id: peerId,
        }),
        /Invalid info_hash: expected 20 characters, got 3/,
      );
      rejects(
        JSON.stringify({
          action: "announce",
          info_hash: "€".repeat(20),
          peer_id: peerId,
        }),
        /Invalid info_hash: characters must be below U\+0100/,
      );
      rejects(
        JSON.stringify({ action: "announce", info_hash: infoHash }),
        /Missing peer_id/,
        { infoHash },
      );
      rejects(
        announce({
          to_peer_id: "x",
          offer_id: offerId,
          answer: { type: "answer", sdp: "v" },
        }),
        /Invalid to_peer_id: expected 20 characters, got 1/,
      );
      rejects(
        announce({ to_peer_id: peerId, answer: { type: "answer", sdp: "v" } }),
        /Missing offer_id/,
      );
    },
  );
  await t.step("numbers and events", () => {
    rejects(
      announce({ numwant: -1 }),
      /Invalid numwant: expected a non-negative number/,
    );
    rejects(announce({ numwant: "5" }), /Invalid numwant/);
    rejects(announce().replace("}", ',"left":1e400}'), /Invalid left/);
    rejects(announce({ uploaded: {} }), /Invalid uploaded/);
    rejects(announce({ event: "paused" }), /Invalid event: "paused"/);
  });
  await t.step("offers and answers", () => {
    rejects(announce({ offers: {} }), /Invalid offers: expected an array/);
    rejects(
      announce({ offers: [null] }),
      /Invalid offers\[0\]: expected an object/,
    );
    rejects(
      announce({ offers: [{ offer_id: offerId }] }),
      /Invalid offers\[0\].offer: expected an object/,
    );
    rejects(
      announce({
        offers: [{ offer_id: offerId, offer: { type: "answer", sdp: "v" } }],
      }),
      /Invalid offers\[0\].offer.type: expected "offer"/,
    );
    rejects(
      announce({
        offers: [{ offer_id: offerId, offer: { type: "offer", sdp: "" } }],
      }),
      /offer.sdp: expected a non-empty string/,
    );
    rejects(
      announce({
        offers: [{
          offer_id: offerId,
          offer: { type: "offer", sdp: "x".repeat(17000) },
        }],
      }),
      /offer.sdp: 17000 characters, at most 16384/,
    );
    rejects(
      announce({ to_peer_id: peerId, offer_id: offerId, answer: "v=0" }),
      /Invalid answer: expected an object/,
    );
  });
});
