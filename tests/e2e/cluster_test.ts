/**
 * Two viewers in real Chromium, each on its own tracker instance (its own
 * port, its own Redis connections), share segments over WebRTC: the
 * instances act as one swarm through a real redis-server.
 */
import assert from "node:assert/strict";
import { launchBrowser } from "../helpers/browser.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { startTestServer } from "../helpers/server.ts";
import { startRedis } from "../../scripts/redis_server.ts";
import { openViewer, snapshot, waitForPlayback } from "../helpers/viewer.ts";
import { digestHex } from "../../utils/hex.ts";
import { DEFAULT_CLUSTER_CONFIG } from "../../tracker/cluster/mod.ts";

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test("viewers on different tracker instances share segments through one Redis", async () => {
    const redis = await startRedis();
    const config = {
      buildDir: false as const,
      p2p: { iceServers: [] },
      // Short timeout: instances see each other's viewer counts within a second or two.
      tracker: { peerTimeoutMs: 8000, announceIntervalS: 4 },
      cluster: {
        ...DEFAULT_CLUSTER_CONFIG,
        backend: "redis" as const,
        redisUrl: redis.url,
      },
    };
    const one = await startTestServer(config);
    const two = await startTestServer(config);
    const browser = await launchBrowser();
    try {
      const first = await openViewer(
        await browser.newContext(),
        one.url,
        "demo",
      );
      await waitForPlayback(first, 2);
      const second = await openViewer(
        await browser.newContext(),
        two.url,
        "demo",
      );
      await second.waitForFunction(
        () =>
          ((globalThis as { __redflixP2P?: { p2pSegments: unknown[] } })
            .__redflixP2P?.p2pSegments.length ?? 0) >= 3,
        undefined,
        { timeout: 40_000 },
      );
      const { log } = await snapshot(second);
      for (const { url, sha256 } of log.p2pSegments) {
        const origin = await (await fetch(new URL(url, two.url))).arrayBuffer();
        assert.equal(
          sha256,
          await digestHex(origin),
          `segment ${url} matches the origin`,
        );
      }
      for (const server of [one, two]) {
        const { cluster } = await (await fetch(`${server.url}/tracker/stats`))
          .json();
        assert.equal(cluster.state, "connected");
        assert.ok(
          cluster.relays.in >= 1,
          `signaling crossed instances: ${JSON.stringify(cluster)}`,
        );
      }
    } finally {
      await browser.close();
      await one.close();
      await two.close();
      await redis.stop();
    }
  });
} else {
  Deno.test("p2p-media-loader viewers on two tracker instances share segments, on loopback only", async () => {
    await runInLoopbackNamespace(new URL(import.meta.url));
  });
}
