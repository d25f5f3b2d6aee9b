/**
 * Nearby peers first, in real players: a viewer in a far region joins
 * first, two in another region follow, then the far viewer's neighbour.
 * The first of the two can only link to the far viewer. Once its neighbour
 * is linked the far link is far from its end (140 ms against 30), but the
 * far viewer, with nobody near, reports its own nearest link as just as
 * long, so the link stays and keeps serving it. When the far viewer's
 * neighbour joins, the link is far from both ends: it closes, the engine
 * drops that peer, and each region shares inside. No stall.
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
import { FAR_MARGIN_MS, FAR_RATIO } from "../../player/near_first.ts";
import type { RunOutcome } from "../../scripts/lab/scenario.ts";

interface Traced {
  type: string;
  peerId?: string;
  source?: string;
  bytes?: number;
  detail?: string;
  at: number;
}

/** Viewers 0 and 3 in region 0, viewers 1 and 2 in region 1. */
const TWO_REGIONS: NetworkProfile = {
  name: "two-regions",
  description: "two far viewers, two neighbours, joining in turn",
  access: () => accessOf(REGIONAL_FIBER),
  region: (index) => index === 0 || index === 3 ? 0 : 1,
  interRegionDelayMs: PROFILES.regions!.interRegionDelayMs,
};

/** What the far viewer (viewer 1) and the others saw of their links. */
function farLinks(run: RunOutcome) {
  const traces = run.traces as Traced[][];
  const ids = traces.map((trace) =>
    trace.find((e) => e.type === "self")?.peerId
  );
  assert.ok(ids.every(Boolean), `each viewer's peer id is in its trace`);
  const [far, first, second, farNeighbour] = ids as string[];
  const farTrace = traces[0]!;
  const at = (type: string, peerId: string) =>
    farTrace.find((e) => e.type === type && e.peerId === peerId)?.at;
  const neighbourLinked = at("peerConnect", farNeighbour!) ?? Infinity;
  // The far viewer is alone until it reports a nearest link beside which a
  // link between the regions is far: WebRTC may connect its neighbour's
  // link (and measure it) a moment before the engine says so.
  // A link between the regions reads at least both ways' delay.
  const crossRttMs = 2 * TWO_REGIONS.interRegionDelayMs!;
  const reportedNear = farTrace.find((e) =>
    e.type === "nearest" &&
    crossRttMs >= Number(e.detail) + FAR_MARGIN_MS &&
    crossRttMs >= Number(e.detail) * FAR_RATIO
  )?.at ?? Infinity;
  const aloneUntil = Math.min(neighbourLinked, reportedNear);
  return {
    firstLinkedFar: traces[1]!.some((e) =>
      e.type === "peerConnect" && e.peerId === far
    ),
    closes: traces.flatMap((trace, viewer) =>
      trace.filter((e) => e.type === "farLinkClosed").map((e) => ({
        viewer: viewer + 1,
        detail: e.detail!,
        // The engine saw the closed channel and dropped a peer.
        dropped: trace.some((p) => p.type === "peerClose" && p.at >= e.at),
      }))
    ),
    neighbourLinked,
    aloneUntil,
    // What each viewer reported as its nearest link, when (s, ms).
    nearest: traces.map((trace) =>
      trace.filter((e) => e.type === "nearest").map((e) =>
        `${(e.at / 1000).toFixed(1)}:${e.detail}`
      ).join(" ")
    ),
    // Links the far viewer lost to the other region before it had a neighbour.
    lostAlone:
      farTrace.filter((e) =>
        e.type === "peerClose" && (e.peerId === first || e.peerId === second) &&
        e.at < aloneUntil
      ).length,
    p2pAlone: farTrace.filter((e) =>
      e.type === "segmentLoaded" && e.source === "p2p" &&
      e.at < aloneUntil
    ).reduce((sum, e) => sum + (e.bytes ?? 0), 0),
  };
}

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test({
    name:
      "nearby peers first: a link far from both ends closes, a far viewer alone keeps its peers, no stall",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const run = await runLabScenario({
        profile: TWO_REGIONS,
        kind: "vod",
        viewers: 4,
        staggerSeconds: 4,
        watchSeconds: 60,
        trace: true,
      });
      const links = farLinks(run);
      const summary = JSON.stringify(links);
      // Each viewer told its peers its nearest link (the debug log shows it).
      assert.ok(
        links.nearest.every(Boolean),
        `each viewer reported its nearest: ${summary}`,
      );
      // The first neighbour had nobody near when it joined: it linked far.
      assert.ok(links.firstLinkedFar, `viewer 2 linked far: ${summary}`);
      assert.ok(
        links.neighbourLinked < Infinity,
        `the far viewer's neighbour linked to it: ${summary}`,
      );
      assert.equal(
        links.lostAlone,
        0,
        `the far viewer kept its peers while alone: ${summary}`,
      );
      // Every close follows the rule, with the other end's report in it.
      const closed = links.closes.map(({ detail, dropped }) => {
        assert.ok(dropped, `the engine dropped it (${detail}): ${summary}`);
        // "link/this end's nearest/the other end's nearest ms"
        const [rtt, nearest, remote] = detail.split(/[/ ]/).map(Number);
        assert.ok(
          !Number.isNaN(remote),
          `the other end reported its nearest (${detail}): ${summary}`,
        );
        for (const end of [nearest!, remote!]) {
          assert.ok(
            rtt! >= end + FAR_MARGIN_MS,
            `closed only a link far from both ends (${detail}): ${summary}`,
          );
        }
        return rtt!;
      });
      // A link between the regions (140 ms) closed. A near link whose every
      // reading sat behind a queue may close too (docs/performance.md).
      assert.ok(
        closed.some((rtt) => rtt >= 120),
        `a link between the regions was closed: ${summary}`,
      );
      for (const [i, viewer] of run.viewers.entries()) {
        assert.ok(
          viewer.playedSeconds >= 55,
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
        `far links: ${summary}; the far viewer alone got ${links.p2pAlone} B from peers; across regions ${
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
