/**
 * Why a traced P2P run still fetched segments from the origin: each segment
 * a viewer's P2P engine loaded over HTTP, sorted by what the swarm held at
 * that moment (from every viewer's `?debug=p2p` trace). `deno task swarm
 * --trace <file>` prints it after the P2P run's table; an earlier trace can
 * be read again with
 * `deno run -A scripts/lab/http_causes.ts <file>.vod.json`.
 *
 * Bytes are what the origin sent for those segments: when a peer stops
 * mid-segment, p2p-media-loader fetches only the rest, with a `Range`
 * request, and the segment loads as HTTP; the part the peer had sent (its
 * `chunkDownloaded` events while that peer was loading that segment) is
 * not counted.
 * @module
 */
import { NO_PEERS_WINDOW_S } from "../../player/p2p_pacing.ts";

/** Why one HTTP segment came from the origin. */
export type HttpCause =
  | "beforePeers" // the viewer had no peer yet
  | "nobodyHad" // no other viewer still watching had it
  | "peerFailed" // a connected peer had it, and a peer was asked first
  | "plainHttp" // a connected peer had it; the player fetched everything over HTTP (plain HTTP, or the live edge role)
  | "notAsked" // a connected peer had it; no peer was asked
  | "droppedPeer" // only peers it had dropped had it
  | "unconnected"; // only viewers it was never connected to had it

/** Every cause, in the table's order. */
export const HTTP_CAUSES: readonly HttpCause[] = [
  "beforePeers",
  "nobodyHad",
  "peerFailed",
  "plainHttp",
  "notAsked",
  "droppedPeer",
  "unconnected",
];

const HEADINGS: Record<HttpCause, string> = {
  beforePeers: "before its first peer",
  nobodyHad: "no other viewer had it",
  peerFailed: "a connected peer had it, asked first",
  plainHttp: "a connected peer had it, all-HTTP window",
  notAsked: "a connected peer had it, not asked",
  droppedPeer: "only a dropped peer had it",
  unconnected: "only unconnected viewers had it",
};

/** Segments, and the bytes the origin sent for them, per cause. */
export type CauseCounts = Record<
  HttpCause,
  { segments: number; bytes: number }
>;

/** The causes of one traced run. */
export interface HttpCauses {
  /** Each viewer's, in join order. */
  viewers: CauseCounts[];
  /** All viewers'. */
  total: CauseCounts;
}

/** A trace event as far as this module reads it. */
interface TraceEvent {
  type: string;
  at: number;
  url?: string;
  source?: string;
  peerId?: string;
  bytes?: number;
  seconds?: number;
}

/** A segment counts as held once another viewer had it this long (s): the announcement's way. */
const HELD_AFTER_S = 0.5;

function events(trace: readonly unknown[]): TraceEvent[] {
  return trace.filter((e): e is TraceEvent =>
    typeof e === "object" && e !== null &&
    typeof (e as TraceEvent).type === "string" &&
    typeof (e as TraceEvent).at === "number"
  ).sort((a, b) => a.at - b.at);
}

/** The segment an event names, whichever viewer's port it came through. */
function segmentOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

function emptyCounts(): CauseCounts {
  return Object.fromEntries(
    HTTP_CAUSES.map((cause) => [cause, { segments: 0, bytes: 0 }]),
  ) as CauseCounts;
}

/**
 * Sort every HTTP segment of a traced run by why it came from the origin.
 * `joinedAt` is each viewer's join (seconds from the run's start), the
 * traces' `at` ms from each page's start.
 */
export function httpCauses(
  viewers: readonly { joinedAt: number }[],
  traces: readonly (readonly unknown[])[],
): HttpCauses {
  const logs = traces.map(events);
  const viewerOf = new Map<string, number>();
  logs.forEach((log, i) => {
    const self = log.find((e) => e.type === "self");
    if (self?.peerId) viewerOf.set(self.peerId, i);
  });
  const clock = (i: number, e: TraceEvent) =>
    (viewers[i]?.joinedAt ?? 0) + e.at / 1000;
  const heldSince = new Map<string, Map<number, number>>();
  const lastSeen = logs.map((log, i) => {
    for (const e of log) {
      const segment = segmentOf(e.url);
      if (e.type !== "segmentLoaded" || !segment) continue;
      const holders = heldSince.get(segment) ?? new Map<number, number>();
      if (!holders.has(i)) holders.set(i, clock(i, e));
      heldSince.set(segment, holders);
    }
    const last = log.at(-1);
    return last ? clock(i, last) : 0;
  });
  const result: HttpCauses = {
    viewers: logs.map(emptyCounts),
    total: emptyCounts(),
  };
  logs.forEach((log, i) => {
    const connected = new Set<number>();
    const dropped = new Set<number>();
    const asked = new Set<string>();
    // The segment each peer is sending now, and what peers sent of each.
    const sending = new Map<string, string>();
    const fromPeers = new Map<string, number>();
    let hadPeer = false;
    let window: number | undefined;
    for (const e of log) {
      const segment = segmentOf(e.url);
      const peer = e.peerId === undefined ? undefined : viewerOf.get(e.peerId);
      if (e.type === "window") window = e.seconds;
      else if (e.type === "peerConnect") {
        hadPeer = true;
        if (peer !== undefined) {
          connected.add(peer);
          dropped.delete(peer);
        }
      } else if (e.type === "peerClose" && peer !== undefined) {
        connected.delete(peer);
        dropped.add(peer);
      } else if (e.type === "segmentStart" && e.source === "p2p" && segment) {
        asked.add(segment);
        if (e.peerId !== undefined) sending.set(e.peerId, segment);
      } else if (e.type === "chunkDownloaded" && e.source === "p2p") {
        const sent = e.peerId === undefined ? undefined : sending.get(e.peerId);
        if (sent !== undefined) {
          fromPeers.set(sent, (fromPeers.get(sent) ?? 0) + (e.bytes ?? 0));
        }
      } else if (
        e.source === "p2p" && e.peerId !== undefined &&
        ["segmentAbort", "segmentError", "segmentLoaded"].includes(e.type)
      ) {
        sending.delete(e.peerId);
        if (e.type === "segmentLoaded" && segment) fromPeers.delete(segment);
      } else if (
        e.type === "segmentLoaded" && e.source === "http" && segment
      ) {
        const fromOrigin = Math.max(
          0,
          (e.bytes ?? 0) - (fromPeers.get(segment) ?? 0),
        );
        fromPeers.delete(segment);
        const now = clock(i, e);
        const holders = [...(heldSince.get(segment) ?? new Map())]
          .filter(([j, since]) =>
            j !== i && since <= now - HELD_AFTER_S && lastSeen[j]! > now
          ).map(([j]) => j);
        const cause: HttpCause = !hadPeer
          ? "beforePeers"
          : !holders.length
          ? "nobodyHad"
          : holders.some((j) => connected.has(j))
          ? asked.has(segment)
            ? "peerFailed"
            : window !== undefined && window >= NO_PEERS_WINDOW_S
            ? "plainHttp"
            : "notAsked"
          : holders.some((j) => dropped.has(j))
          ? "droppedPeer"
          : "unconnected";
        for (const counts of [result.viewers[i]!, result.total]) {
          counts[cause].segments++;
          counts[cause].bytes += fromOrigin;
        }
      }
    }
  });
  return result;
}

/** The causes as a Markdown table: segments per viewer, and megabytes in all. */
export function httpCausesTable(
  causes: HttpCauses,
  lines: readonly string[] = [],
): string {
  const row = (label: string, cells: string[]) =>
    `| ${label} | ${cells.join(" | ")} |`;
  const segments = (counts: CauseCounts) =>
    HTTP_CAUSES.map((cause) => String(counts[cause].segments));
  return [
    row("viewer", HTTP_CAUSES.map((cause) => HEADINGS[cause])),
    row("---", HTTP_CAUSES.map(() => "---")),
    ...causes.viewers.map((counts, i) =>
      row(`${i + 1}${lines[i] ? ` (${lines[i]})` : ""}`, segments(counts))
    ),
    row("all, segments", segments(causes.total)),
    row(
      "all, MB from the origin",
      HTTP_CAUSES.map((cause) => (causes.total[cause].bytes / 1e6).toFixed(1)),
    ),
  ].join("\n");
}

if (import.meta.main) {
  const file = Deno.args[0];
  if (!file) {
    console.error(
      "usage: deno run -A scripts/lab/http_causes.ts <trace>.vod.json",
    );
    Deno.exit(2);
  }
  const saved = JSON.parse(await Deno.readTextFile(file)) as {
    viewers?: { joinedAt: number; line?: string }[];
    traces?: unknown[][];
  };
  if (!saved.viewers || !saved.traces) {
    console.error(`${file} is not a trace of deno task swarm --trace`);
    Deno.exit(1);
  }
  console.log(
    httpCausesTable(
      httpCauses(saved.viewers, saved.traces),
      saved.viewers.map((v) => v.line ?? ""),
    ),
  );
}
