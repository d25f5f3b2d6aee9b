/**
 * A player whose only peer delivers nothing still keeps a buffer: the
 * joiner's one peer is a phone on mobile data, which connects but uploads
 * nothing (upload_policy.ts). p2p-media-loader leaves every segment beyond
 * the high-demand window to peers, so without the buffer floors
 * (p2p_pacing.ts) the joiner would sit at a 2 s window for as long as the
 * phone stays, where plain HTTP holds 30 s (VOD) or 3 segments (live).
 * It must get the whole floor by the time its first peer's grace is over
 * (live: from the join), long before the VOD floor's ramp would reach it,
 * and keep its peer (not fall back to plain HTTP).
 */
import assert from "node:assert/strict";
import { launchBrowser } from "../helpers/browser.ts";
import { deviceScript, setDevice } from "../helpers/device.ts";
import { eventually } from "../helpers/eventually.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { startTestServer } from "../helpers/server.ts";
import {
  DEMO_SEGMENT_SECONDS,
  openViewer,
  readBufferAhead,
  readProbe,
  snapshot,
  waitForPlayback,
} from "../helpers/viewer.ts";
import {
  FIRST_PEER_GRACE_MS,
  FLOOR_RAMP,
  LIVE_FLOOR_SEGMENTS,
  NO_PEERS_WINDOW_S,
  VOD_FLOOR_S,
} from "../../player/p2p_pacing.ts";

/** One case: a phone watches `channel`, then a desktop joins it. */
interface FloorCase {
  /** The demo channel. */
  channel: string;
  /** The phone's connection when it starts. */
  phoneStartsOn: string;
  /** The phone's connection once it plays, if it changes. */
  phoneMovesTo?: string;
  /** The floor the desktop must reach (s). */
  floorS: number;
  /** What it must then hold ahead of its playhead at least (s). */
  minAheadS: number;
  /** The live role the desktop must play, if live. */
  role?: "backRole";
}

/**
 * Run `floorCase`: the desktop reaches the whole floor within 10 s of its
 * first peer's grace, still waits on its peer (not plain HTTP, which it may
 * hold a moment before it hears of the phone), gets nothing from it, holds
 * the buffer and never stalls.
 */
async function assertFloorHeld(floorCase: FloorCase): Promise<void> {
  const server = await startTestServer({
    buildDir: false,
    p2p: { iceServers: [] },
  });
  const browser = await launchBrowser();
  try {
    const phoneContext = await browser.newContext();
    await phoneContext.addInitScript(deviceScript(floorCase.phoneStartsOn));
    const phone = await openViewer(phoneContext, server.url, floorCase.channel);
    await waitForPlayback(phone, 1);
    if (floorCase.phoneMovesTo) {
      await setDevice(phone, { type: floorCase.phoneMovesTo });
    }
    const desktop = await openViewer(
      await browser.newContext(),
      server.url,
      floorCase.channel,
    );
    await waitForPlayback(desktop, 1);

    const deadlineS = FIRST_PEER_GRACE_MS / 1000 + 10;
    await eventually(async () => {
      const { panel, log } = await snapshot(desktop);
      const joined = log.events.find((e) => e.type === "p2pJoined");
      assert.ok(joined, "joined the swarm");
      if (floorCase.role) {
        assert.ok(
          log.events.some((e) => e.type === floorCase.role),
          `plays the ${floorCase.role}`,
        );
      }
      const windows = log.events.filter((e) =>
        e.type === "window" && e.at! >= joined.at!
      );
      const floored = windows.find((e) =>
        e.seconds! >= floorCase.floorS && e.seconds! < NO_PEERS_WINDOW_S
      );
      assert.ok(floored, `windows so far: ${JSON.stringify(windows)}`);
      assert.ok(
        floored.at! - joined.at! < deadlineS * 1000,
        `the whole floor ${floored.at! - joined.at!} ms after the join`,
      );
      const last = windows.at(-1)!;
      assert.ok(
        last.seconds! < NO_PEERS_WINDOW_S,
        `still waiting on peers, not plain HTTP: ${last.seconds} s`,
      );
      assert.ok(panel.peers >= 1, "the phone is still its peer");
      assert.equal(panel.p2pBytes, 0, "the phone sent nothing");
      const ahead = await readBufferAhead(desktop);
      assert.ok(ahead >= floorCase.minAheadS, `${ahead} s buffered ahead`);
    }, 40_000);
    assert.equal((await readProbe(desktop)).stalls, 0, "no stall");
  } finally {
    await browser.close();
    await server.close();
  }
}

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test({
    name:
      "VOD: a joiner whose only peer uploads nothing gets the whole buffer floor after its grace, and keeps its peer",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      // The floor's ramp alone would not reach it by the deadline.
      assert.ok((FIRST_PEER_GRACE_MS / 1000 + 10) * FLOOR_RAMP < VOD_FLOOR_S);
      await assertFloorHeld({
        channel: "demo",
        phoneStartsOn: "cellular",
        floorS: VOD_FLOOR_S,
        // hls.js fetches whole segments up to the window's edge.
        minAheadS: VOD_FLOOR_S - DEMO_SEGMENT_SECONDS,
      });
    },
  });

  Deno.test({
    name:
      "live: a back player whose elder stopped uploading holds what plain HTTP holds, and keeps its peer",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const floorS = LIVE_FLOOR_SEGMENTS * DEMO_SEGMENT_SECONDS;
      // The phone starts on Wi-Fi (its peer id says it uploads, so it holds
      // the edge role), then leaves home: on mobile data it uploads
      // nothing, but its id still names it the desktop's elder uploader.
      await assertFloorHeld({
        channel: "ao-vivo",
        phoneStartsOn: "wifi",
        phoneMovesTo: "cellular",
        floorS,
        // Without the floor it holds its 2 s window plus a segment at most.
        minAheadS: floorS - 1,
        role: "backRole",
      });
    },
  });
} else {
  Deno.test("buffer floor (in a loopback-only network namespace)", async () => {
    await runInLoopbackNamespace(import.meta.url, 300_000);
  });
}
