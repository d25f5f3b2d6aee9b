/**
 * A small run of the network lab (`deno task swarm --network fiber`): real
 * Chromium viewers on shaped lines, P2P through a real coturn, live. The
 * full lab is a benchmark; this proves its parts work together.
 */
import assert from "node:assert/strict";
import { runLabScenario } from "../helpers/lab.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { profileNamed } from "../../scripts/lab/profiles.ts";
import { totals } from "../../scripts/lab/report.ts";
import { HTTP_CAUSES, httpCauses } from "../../scripts/lab/http_causes.ts";

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test({
    name:
      "lab smoke: 3 live viewers on fiber share segments through coturn, shaped",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const run = await runLabScenario({
        profile: profileNamed("fiber"),
        kind: "live",
        viewers: 3,
        staggerSeconds: 3,
        watchSeconds: 30,
        trace: true,
      });
      for (const [i, viewer] of run.viewers.entries()) {
        assert.ok(viewer.ttffMs !== null, `viewer ${i + 1} started`);
        assert.ok(
          viewer.playedSeconds >= 25,
          `viewer ${i + 1} played ${viewer.playedSeconds} s`,
        );
      }
      const p2pBytes = run.viewers.reduce((sum, v) => sum + v.p2pBytes, 0);
      assert.ok(p2pBytes > 1_000_000, `P2P bytes: ${p2pBytes}`);
      // Every P2P byte crossed the lab's links on its way through coturn.
      const links = run.links!;
      const relayedUp = links.reduce((sum, l) => sum + l.up.udpBytes, 0);
      assert.ok(
        relayedUp >= p2pBytes,
        `uplinks carried ${relayedUp} UDP bytes for ${p2pBytes} P2P bytes`,
      );
      const sends = totals(run).sendsPerSegment;
      assert.ok(sends < 3, `origin sends per segment: ${sends}`);
      // The traces say why each of the engine's HTTP segments came from the
      // origin (`--trace`): every one is sorted, with its bytes.
      const traces = run.traces!;
      const overHttp = (type: string) =>
        traces.flat().filter((e) => {
          const event = e as { type?: string; source?: string };
          return event.type === type && event.source === "http";
        });
      const httpLoads = overHttp("segmentLoaded");
      const causes = httpCauses(run.viewers, traces);
      const sorted = HTTP_CAUSES.reduce(
        (sum, cause) => sum + causes.total[cause].segments,
        0,
      );
      const sortedBytes = HTTP_CAUSES.reduce(
        (sum, cause) => sum + causes.total[cause].bytes,
        0,
      );
      assert.ok(httpLoads.length > 0, "the first viewer fetched over HTTP");
      assert.equal(sorted, httpLoads.length);
      // What the origin sent for them: at most the segments' sizes, and at
      // most the HTTP bytes the same traces received (a segment a peer
      // began is finished with a Range request; hls.js's own fetches before
      // the swarm count there too).
      const bytesOf = (events: unknown[]) =>
        events.reduce(
          (sum: number, e) => sum + ((e as { bytes?: number }).bytes ?? 0),
          0,
        );
      const loadedBytes = bytesOf(httpLoads);
      const receivedBytes = bytesOf(overHttp("chunkDownloaded"));
      const figures =
        `HTTP segments ${loadedBytes} B, from the origin ${sortedBytes} B, HTTP chunks ${receivedBytes} B`;
      assert.ok(sortedBytes > 0, "the origin sent HTTP segments");
      assert.ok(sortedBytes <= loadedBytes, figures);
      assert.ok(sortedBytes <= receivedBytes, figures);
    },
  });
} else {
  Deno.test("lab smoke (in a loopback-only network namespace)", async () => {
    await runInLoopbackNamespace(import.meta.url, 400_000);
  });
}
