/**
 * A P2P player plays on after its line stops for a while. p2p-media-loader's
 * core gives up on a segment after three tries that got no byte for 3 s
 * each and reports a failure with status 0; hls.js then plays another
 * rendition (a real device says it is online, even in a tunnel) or, if the
 * browser says it is offline, waits for the `online` event. The lab's
 * network namespace has no route out, so its Chromium said offline, and a
 * P2P player that lost a segment in a 12 s outage waited for 51 s until
 * the run ended; the lab's pages now say online, as real devices do
 * (scripts/lab/viewer_probe.ts). One viewer of the lab's VOD with P2P on, on
 * a 4G line that stops for 12 s once: its buffer, not full yet, runs out
 * inside the outage, and hls.js gives up the fragment the core was loading
 * for a lower rendition, by its emergency switch (which p2p-media-loader
 * turns off and the player turns back on: player/p2p_abr.ts,
 * `watchCoreLoad`) or by its error handling.
 */
import assert from "node:assert/strict";
import { runLabScenario } from "../helpers/lab.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { accessOf, MOBILE_4G } from "../../scripts/lab/profiles.ts";

/** When the line stops (s after the lab started), and for how long. */
const OUTAGE_AT_S = 8;
const OUTAGE_S = 12;

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test({
    name:
      "a P2P player whose line stops for 12 s switches down as plain hls.js would, and plays on when it comes back",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const run = await runLabScenario({
        profile: {
          name: "one outage",
          description: `4G without loss, stopping ${OUTAGE_S} s once`,
          access: () =>
            accessOf(
              { ...MOBILE_4G, loss: 0, dipS: OUTAGE_S, dipEveryS: 1000 },
              OUTAGE_AT_S,
            ),
        },
        kind: "vod",
        viewers: 1,
        staggerSeconds: 0,
        watchSeconds: 24,
        trace: true,
      });
      const [viewer] = run.viewers;
      const events = run.traces![0] as Array<{
        type: string;
        at: number;
        source?: string;
        level?: number;
        bytes?: number;
        seconds?: number;
      }>;
      const joined = events.find((e) => e.type === "p2pJoined");
      assert.ok(joined, "P2P on: the core loads the fragments");
      assert.ok(
        events.some((e) => e.type === "segmentError" && e.source === "http"),
        "the core's requests failed in the outage",
      );
      // hls.js gave up the fragment the core was loading for a lower
      // rendition: its emergency switch, judging the core's HTTP bytes
      // (player/core_progress.ts), or its error handling once the core
      // reported the failure, whichever came first.
      const loads = events.filter((e) =>
        e.type === "fragLoading" && e.at > joined.at
      );
      const top = Math.max(...loads.map((e) => e.level ?? 0));
      const failed = events.find((e) =>
        e.type === "segmentError" && e.source === "http"
      )!;
      assert.ok(
        loads.some((e) => e.at > failed.at && (e.level ?? top) < top),
        `a lower rendition after the outage: ${
          loads.map((e) => `${e.at}:${e.level}`)
        }`,
      );
      // The bandwidth estimate's samples of the core's HTTP requests
      // (player/http_line.ts) measure the line: 12 Mbit/s, less what the
      // lab's shaping and TCP take, never more.
      const rates = events.filter((e) => e.type === "httpLine")
        .map((e) => e.bytes! * 8 / e.seconds! / 1e6).sort((a, b) => a - b);
      const median = rates[Math.floor(rates.length / 2)];
      assert.ok(
        rates.length >= 3 && median! > 5 && median! < 13,
        `the line's samples (Mbit/s): ${rates.map((r) => r.toFixed(1))}`,
      );
      assert.ok(
        viewer!.playedSeconds >= 22,
        `played on: ${viewer!.playedSeconds} s, stalled ${
          viewer!.stallSeconds
        } s`,
      );
      assert.ok(
        viewer!.stallSeconds < OUTAGE_S,
        `stalled ${viewer!.stallSeconds} s`,
      );
    },
  });
} else {
  Deno.test("line outage (in a loopback-only network namespace)", async () => {
    await runInLoopbackNamespace(import.meta.url, 300_000);
  });
}
