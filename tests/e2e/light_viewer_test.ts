/**
 * Light viewers of the lab (`deno task swarm --light N`): the P2P half of
 * a player without the video, in real Chromium with the real
 * p2p-media-loader, sharing segments with a real player.
 */
import assert from "node:assert/strict";
import { runLabScenario } from "../helpers/lab.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { profileNamed } from "../../scripts/lab/profiles.ts";
import { totals } from "../../scripts/lab/report.ts";
import { FORWARD_BUFFER_S } from "../../player/use_hls.ts";

if (IN_LOOPBACK_NAMESPACE) {
  const options = {
    profile: profileNamed("loopback"),
    kind: "live" as const,
    viewers: 1,
    light: 1,
    staggerSeconds: 3,
    watchSeconds: 20,
  };

  Deno.test({
    name:
      "light viewer: plays a live channel and shares segments with a real player",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const run = await runLabScenario({ ...options, trace: true });
      const [player, light] = run.viewers;
      assert.ok(player && light?.light && !player.light);
      assert.ok(light.ttffMs !== null, "the light viewer started");
      assert.ok(light.playedSeconds >= 15, `played ${light.playedSeconds} s`);
      assert.equal(
        Math.round(light.meanKbps),
        4500,
        "it plays the top rendition",
      );
      // Its buffer, as the player's is sampled: at most the forward buffer.
      assert.ok(light.aheadSamples.length >= 10, `${light.aheadSamples}`);
      assert.ok(
        Math.max(...light.aheadSamples) <= FORWARD_BUFFER_S + 2,
        `${light.aheadSamples}`,
      );
      assert.ok(player.aheadSamples.length >= 10, `${player.aheadSamples}`);
      // It joined after its first segment and took the rest from the player.
      assert.ok(light.p2pBytes > 1_000_000, `P2P bytes: ${light.p2pBytes}`);
      assert.ok(
        player.uploadedBytes >= light.p2pBytes * 0.9,
        `player uploaded ${player.uploadedBytes} of ${light.p2pBytes}`,
      );
      // Its event log is the player's kind (for --trace).
      const events = run.traces![1]! as Array<{ type: string }>;
      assert.ok(events.some((e) => e.type === "p2pJoined"));
      assert.ok(events.some((e) => e.type === "segmentLoaded"));
      // Its bytes count for the origin's figures, its start-up does not.
      const t = totals(run);
      assert.equal(t.viewers, 2);
      assert.equal(t.medianTtffMs, player.ttffMs);
      assert.ok(t.sendsPerSegment < 1.7, `sends: ${t.sendsPerSegment}`);
    },
  });

  Deno.test({
    name: "light viewer: with P2P off it takes every segment over HTTP",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      // Two of them: they would find each other if anything let them.
      const run = await runLabScenario({ ...options, light: 2, p2p: false });
      for (const light of run.viewers.slice(1)) {
        assert.ok(light.ttffMs !== null, "the light viewer started");
        assert.ok(light.httpBytes > 5_000_000, `HTTP: ${light.httpBytes} B`);
        assert.equal(light.p2pBytes, 0);
        assert.equal(light.uploadedBytes, 0);
      }
    },
  });
} else {
  Deno.test("light viewers (in a loopback-only network namespace)", async () => {
    await runInLoopbackNamespace(import.meta.url, 300_000);
  });
}
