/**
 * Two viewers in real Chromium, each on its own tracker instance (a server
 * process of its own, on its own port), share segments over WebRTC: the
 * instances act as one swarm through a real redis-server.
 */
import assert from "node:assert/strict";
import { launchBrowser } from "../helpers/browser.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { startServerProcess } from "../helpers/process.ts";
import { startRedis } from "../../scripts/redis_server.ts";
import {
  assertPeerSegmentsMatchOrigin,
  openViewer,
  waitForPlayback,
} from "../helpers/viewer.ts";

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test("viewers on different tracker instances share segments through one Redis", async () => {
    const redis = await startRedis();
    const env = {
      TRACKER_BACKEND: "redis",
      REDIS_URL: redis.url,
      ICE_SERVERS: "[]",
      // Short timeout: instances see each other's viewer counts within a couple of seconds.
      TRACKER_PEER_TIMEOUT: "8",
      TRACKER_ANNOUNCE_INTERVAL: "4",
    };
    const [one, two] = await Promise.all([
      startServerProcess(0, env),
      startServerProcess(0, env),
    ]);
    const urls = [one, two].map((server) => `http://127.0.0.1:${server.port}`);
    const browser = await launchBrowser();
    try {
      const first = await openViewer(
        await browser.newContext(),
        urls[0]!,
        "demo",
      );
      await waitForPlayback(first, 2);
      const second = await openViewer(
        await browser.newContext(),
        urls[1]!,
        "demo",
      );
      await assertPeerSegmentsMatchOrigin(second, urls[1]!);
      for (const url of urls) {
        const { cluster } = await (await fetch(`${url}/tracker/stats`)).json();
        assert.equal(cluster.state, "connected");
        assert.ok(
          cluster.relays.in >= 1,
          `signaling crossed instances: ${JSON.stringify(cluster)}`,
        );
      }
    } finally {
      await browser.close();
      for (const server of [one, two]) {
        server.child.kill("SIGTERM");
        await server.exited;
      }
      await redis.stop();
    }
  });
} else {
  Deno.test("p2p-media-loader viewers on two tracker instances share segments, on loopback only", async () => {
    await runInLoopbackNamespace(new URL(import.meta.url));
  });
}
