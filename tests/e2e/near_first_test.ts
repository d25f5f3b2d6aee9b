/**
 * Nearby peers first, in real players: one viewer in a far region joins
 * first, two in another region follow. The first of them can only link to
 * the far viewer; once its neighbour is linked, its player closes the far
 * link (its round trip, read from WebRTC, is 120 ms against 10), the engine
 * drops that peer, and the neighbour serves the rest. No stall.
 */
import assert from "node:assert/strict";
import { runLabScenario } from "../helpers/lab.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import {
  accessOf,
  type NetworkProfile,
  PROFILES,
  REGIONAL_FIBER,
} from "../../scripts/lab/profiles.ts";
import { localityTotals } from "../../scripts/lab/report.ts";
import { FAR_MARGIN_MS } from "../../player/near_first.ts";
import type { RunOutcome } from "../../scripts/lab/scenario.ts";

interface Traced {
  type: string;
  peerId?: string;
  source?: string;
  bytes?: number;
  detail?: string;
  at: number;
}

/** Viewer 0 alone in region 0, the others in region 1. */
const TWO_REGIONS: NetworkProfile = {
  name: "two-regions",
  description: "one far viewer, two neighbours",
  access: () => accessOf(REGIONAL_FIBER),
  region: (index) => index === 0 ? 0 : 1,
  interRegionDelayMs: PROFILES.regions!.interRegionDelayMs,
};

/** Per neighbour: far links closed, and P2P bytes from the far viewer after the first close. */
function farLinks(run: RunOutcome) {
  const traces = run.traces as Traced[][];
  const farId = traces[0]!.find((e) => e.type === "self")?.peerId;
  assert.ok(farId, "the far viewer's peer id is in its trace");
  return traces.slice(1).map((trace) => {
    const closes = trace.filter((e) => e.type === "farLinkClosed");
    const firstClose = closes[0]?.at ?? Infinity;
    const fromFar = (after: number) =>
      trace.filter((e) =>
        e.type === "segmentLoaded" && e.source === "p2p" &&
        e.peerId === farId && e.at > after
      ).reduce((sum, e) => sum + (e.bytes ?? 0), 0);
    return {
      linked: trace.some((e) => e.type === "peerConnect" && e.peerId === farId),
      closes: closes.map((e) => e.detail),
      farDropped: trace.some((e) =>
        e.type === "peerClose" && e.peerId === farId && e.at >= firstClose
      ),
      fromFarBefore: fromFar(-1) - fromFar(firstClose),
      fromFarAfter: fromFar(firstClose),
    };
  });
}

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test({
    name:
      "nearby peers first: a viewer with a near link closes its far one, the engine drops it, no stall",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const run = await runLabScenario({
        profile: TWO_REGIONS,
        kind: "vod",
        viewers: 3,
        staggerSeconds: 4,
        watchSeconds: 40,
        trace: true,
      });
      const links = farLinks(run);
      const summary = JSON.stringify(links);
      // The first neighbour had nobody near when it joined: it linked far.
      assert.ok(
        links[0]!.linked,
        `viewer 2 linked to the far viewer: ${summary}`,
      );
      const closers = links.filter((l) => l.closes.length > 0);
      assert.ok(closers.length > 0, `a far link was closed: ${summary}`);
      for (const closer of closers) {
        for (const detail of closer.closes) {
          const [rtt, nearest] = detail!.split(/[/ ]/).map(Number);
          assert.ok(
            rtt! >= nearest! + FAR_MARGIN_MS && rtt! >= 100,
            `closed a far link (${detail}): ${summary}`,
          );
        }
        assert.ok(closer.farDropped, `the engine dropped it: ${summary}`);
      }
      for (const [i, viewer] of run.viewers.entries()) {
        assert.ok(
          viewer.playedSeconds >= 35,
          `viewer ${i + 1} played ${viewer.playedSeconds} s`,
        );
        assert.equal(viewer.stalls, 0, `viewer ${i + 1} never stalled`);
      }
      const { sameRegionBytes, crossShare } = localityTotals(run);
      assert.ok(
        sameRegionBytes > 1_000_000,
        `near bytes: ${sameRegionBytes}`,
      );
      console.log(
        `far links: ${summary}; across regions ${
          Math.round(crossShare * 100)
        } %`,
      );
    },
  });
} else {
  Deno.test("nearby peers first (in a loopback-only network namespace)", async () => {
    await runInLoopbackNamespace(import.meta.url, 300_000);
  });
}
