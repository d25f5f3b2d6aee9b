/**
 * A VOD player whose only peer delivers nothing still keeps a buffer: the
 * joiner's one peer is a phone on mobile data, which connects but uploads
 * nothing (upload_policy.ts). p2p-media-loader leaves every segment beyond
 * the high-demand window to peers, so without the buffer floor
 * (p2p_pacing.ts) the joiner would sit at a 2 s window for as long as the
 * phone stays, where plain HTTP holds 30 s. Once its first peer's grace is
 * over it must get the whole floor, long before the floor's ramp would
 * reach it, and keep its peer (not fall back to plain HTTP).
 */
import assert from "node:assert/strict";
import { launchBrowser } from "../helpers/browser.ts";
import { deviceScript } from "../helpers/device.ts";
import { eventually } from "../helpers/eventually.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { startTestServer } from "../helpers/server.ts";
import {
  openViewer,
  readBufferAhead,
  readProbe,
  snapshot,
  waitForPlayback,
} from "../helpers/viewer.ts";
import {
  FIRST_PEER_GRACE_MS,
  FLOOR_RAMP,
  NO_PEERS_WINDOW_S,
  VOD_FLOOR_S,
} from "../../player/p2p_pacing.ts";

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test({
    name:
      "VOD: a joiner whose only peer uploads nothing gets the whole buffer floor after its grace, and keeps its peer",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const server = await startTestServer({
        buildDir: false,
        p2p: { iceServers: [] },
      });
      const browser = await launchBrowser();
      try {
        const phoneContext = await browser.newContext();
        await phoneContext.addInitScript(deviceScript("cellular"));
        const phone = await openViewer(phoneContext, server.url, "demo");
        await waitForPlayback(phone, 1);
        const desktop = await openViewer(
          await browser.newContext(),
          server.url,
          "demo",
        );
        await waitForPlayback(desktop, 1);

        // The floor's ramp alone would give this much by the deadline.
        const deadlineS = FIRST_PEER_GRACE_MS / 1000 + 10;
        assert.ok(deadlineS * FLOOR_RAMP < VOD_FLOOR_S);
        await eventually(async () => {
          const { panel, log } = await snapshot(desktop);
          const joined = log.events.find((e) => e.type === "p2pJoined");
          assert.ok(joined, "joined the swarm");
          const windows = log.events.filter((e) =>
            e.type === "window" && e.at! >= joined.at!
          );
          const floored = windows.find((e) => e.seconds! >= VOD_FLOOR_S);
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
          // hls.js fetches whole 2 s segments up to the window's edge.
          assert.ok(ahead >= VOD_FLOOR_S - 2, `${ahead} s buffered ahead`);
        }, 40_000);
        assert.equal((await readProbe(desktop)).stalls, 0, "no stall");
      } finally {
        await browser.close();
        await server.close();
      }
    },
  });
} else {
  Deno.test("buffer floor (in a loopback-only network namespace)", async () => {
    await runInLoopbackNamespace(import.meta.url, 300_000);
  });
}
