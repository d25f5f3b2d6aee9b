/**
 * Nearby peers first, in the player: once a viewer has
 * {@linkcode NEAR_ENOUGH} near links, it closes its links to far peers.
 *
 * The tracker sends a viewer's offers to near peers first
 * (tracker/locality.ts), but links made before any near peer joined, and
 * those of the random share, last the whole session, and p2p-media-loader
 * picks which connected peer serves a segment by measured speed alone: in
 * two traced runs of the lab's `regions`, 93 and 97 % of the bytes that
 * crossed regions went to viewers that had a near link at that moment.
 * Near and far are told apart by each link's own shortest round trip
 * (WebRTC's statistics), so nothing about another viewer's address or
 * locality is needed. A round trip also holds both ends' own lines (a 4G
 * line adds 60 ms to every link of its viewer), so each end tells the other
 * its nearest link's round trip over a data channel of its own
 * ({@linkcode REPORT_CHANNEL_ID}), and a link is far only when it is far
 * from both ends: a fiber viewer keeps its link to a 4G neighbour, and a
 * viewer with nobody near keeps its far peers until someone near joins it.
 *
 * p2p-media-loader has no way to close one of its peers, so the player sees
 * the connections the page makes (a subclass of `RTCPeerConnection`,
 * installed once) and closes a far link's data channels: the engine then
 * drops that peer as if it had left, and any segment still wanted comes
 * from another peer or over HTTP. Browser-only, apart from
 * {@linkcode farLinks} and {@linkcode linksToClose}.
 * @module
 */
import { NEAR_ENOUGH } from "../p2p/near_peers.ts";

/** What one sample says about a connected link. */
export interface LinkSample {
  /**
   * The link's shortest round trip so far (ms), if WebRTC measured one: a
   * busy link's queues add to each reading (30–130 ms on a 10 ms lab link
   * filling a buffer), never take from it.
   */
  rttMs?: number;
  /**
   * Whether it is {@linkcode MIN_AGE_MS} old with {@linkcode MIN_READINGS}
   * readings, enough to call it far (one low reading is enough to call it
   * near). True when left out.
   */
  settled?: boolean;
  /** Whether it carried next to nothing since the previous sample. */
  idle: boolean;
  /** Samples in a row it was already due to close but busy. */
  busySamples?: number;
  /**
   * The other end's nearest link's round trip (ms), as it last reported it
   * ({@linkcode parseNearestReport}); unknown for a peer that does not
   * report, which is then judged from this end alone.
   */
  remoteNearestMs?: number;
}

/** A far link's round trip exceeds the nearest link's by at least this (ms)… */
export const FAR_MARGIN_MS = 50;

/** …and is at least this many times the nearest link's. */
export const FAR_RATIO = 2;

/** Bytes (both ways) under which a link counts as idle between samples. */
export const IDLE_BYTES = 16 * 1024;

/** How often the links are sampled (ms). */
export const SAMPLE_MS = 1000;

/** Round-trip readings (WebRTC's STUN checks) a link needs to be called far. */
export const MIN_READINGS = 3;

/**
 * Age (ms) a link needs to be called far: a viewer that has just joined
 * fills its buffer, and its queues held every reading of its new near
 * links at 99–194 ms for the first seconds (the lab's `regions`, 10 ms
 * links); its neighbours closed them, and it fetched 30 s over HTTP.
 */
export const MIN_AGE_MS = 10_000;

/**
 * Samples a far link that is due to close may stay busy before it closes
 * anyway: p2p-media-loader keeps a far peer it downloads from busy, and
 * a transfer cut short is fetched again from a near peer or over HTTP.
 */
export const BUSY_SAMPLES = 4;

/**
 * The negotiated data channel (its SCTP stream id) on which each end of a
 * link reports its nearest link's round trip, once a second. p2p-media-loader's
 * own channel is stream 0 or 1, and a negotiated channel fires no
 * `datachannel` event, so the engine never sees this one.
 */
export const REPORT_CHANNEL_ID = 100;

/** The longest report a peer may send (characters); longer ones are ignored. */
export const MAX_REPORT_LENGTH = 16;

/**
 * A peer's report of its nearest link (ms), or undefined if it is not one:
 * a short decimal string of a round trip under a minute. Whatever else a
 * peer sends is ignored.
 *
 * @example
 * ```ts
 * parseNearestReport("42"); // 42
 * parseNearestReport("-1"); // undefined
 * ```
 */
export function parseNearestReport(data: unknown): number | undefined {
  if (typeof data !== "string" || data.length > MAX_REPORT_LENGTH) {
    return undefined;
  }
  if (!/^\d+(\.\d+)?$/.test(data)) return undefined;
  const ms = Number(data);
  return ms < 60_000 ? ms : undefined;
}

/** The shortest round trip (ms) among `links`; Infinity if none has one. */
export function nearestRttMs(
  links: readonly Pick<LinkSample, "rttMs">[],
): number {
  let nearest = Infinity;
  for (const link of links) {
    if (link.rttMs !== undefined) nearest = Math.min(nearest, link.rttMs);
  }
  return nearest;
}

/** Whether a round trip is far beside a nearest one: the margin and the ratio. */
function farBeside(rttMs: number, nearestMs: number): boolean {
  return rttMs >= nearestMs + FAR_MARGIN_MS && rttMs >= nearestMs * FAR_RATIO;
}

/**
 * The far links (their indices), once at least `nearEnough` links are near;
 * none otherwise. A link is far when its round trip is both
 * {@linkcode FAR_MARGIN_MS} more and {@linkcode FAR_RATIO} times this end's
 * nearest link's and, when the other end reported its own nearest, that
 * one's too; over enough readings. Links with no round trip yet, or too few
 * readings to be far, are neither.
 *
 * @example
 * ```ts
 * farLinks([{ rttMs: 12 }, { rttMs: 15 }, { rttMs: 130 }]); // [2]
 * farLinks([{ rttMs: 12 }, { rttMs: 130, settled: false }]); // []
 * // The other end's every link is long (a 4G line): not far.
 * farLinks([{ rttMs: 40 }, { rttMs: 130, remoteNearestMs: 110 }]); // []
 * ```
 */
export function farLinks(
  links: readonly Pick<LinkSample, "rttMs" | "settled" | "remoteNearestMs">[],
  nearEnough = NEAR_ENOUGH,
): number[] {
  const nearest = nearestRttMs(links);
  if (nearest === Infinity) return [];
  let near = 0;
  const farOnes: number[] = [];
  links.forEach((link, i) => {
    if (link.rttMs === undefined) return;
    if (!farBeside(link.rttMs, nearest)) near++;
    else if (
      (link.settled ?? true) &&
      (link.remoteNearestMs === undefined ||
        farBeside(link.rttMs, link.remoteNearestMs))
    ) farOnes.push(i);
  });
  return near >= nearEnough ? farOnes : [];
}

/**
 * Which far links ({@linkcode farLinks}) to close now: the idle ones, and
 * those already {@linkcode BUSY_SAMPLES} samples busy.
 *
 * @example
 * ```ts
 * linksToClose([
 *   { rttMs: 12, idle: true },
 *   { rttMs: 15, idle: true },
 *   { rttMs: 130, idle: true },
 *   { rttMs: 125, idle: false, busySamples: 1 },
 * ]); // [2]: the busy far link gets a moment to finish
 * ```
 */
export function linksToClose(
  links: readonly LinkSample[],
  nearEnough = NEAR_ENOUGH,
  far: readonly number[] = farLinks(links, nearEnough),
): number[] {
  return far.filter((i) =>
    links[i]!.idle || (links[i]!.busySamples ?? 0) >= BUSY_SAMPLES
  );
}

/** A connection the page made, with what it carried at the last sample. */
interface Link {
  connection: RTCPeerConnection;
  channels: Set<RTCDataChannel>;
  bytes?: number;
  minRttMs?: number;
  readings: number;
  since: number;
  busySamples: number;
  /** The channel both ends report their nearest link on. */
  report?: RTCDataChannel;
  remoteNearestMs?: number;
}

const links = new Set<Link>();
let watching = false;

/**
 * Start seeing the page's peer connections (once per page; later calls do
 * nothing). Call it before the P2P engine makes any.
 */
export function watchPeerLinks(): void {
  const Native = globalThis.RTCPeerConnection;
  if (watching || typeof Native !== "function") return;
  watching = true;
  globalThis.RTCPeerConnection = class extends Native {
    #link: Link;

    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      const link: Link = {
        connection: this,
        channels: new Set(),
        readings: 0,
        since: performance.now(),
        busySamples: 0,
      };
      this.#link = link;
      links.add(link);
      this.addEventListener("datachannel", (event) => {
        link.channels.add(event.channel);
      });
      this.addEventListener("connectionstatechange", () => {
        if (
          this.connectionState === "closed" || this.connectionState === "failed"
        ) {
          links.delete(link);
        } else if (this.connectionState === "connected" && !link.report) {
          // Added once the engine's channel is up: no new negotiation.
          link.report = super.createDataChannel("redflix-nearest", {
            negotiated: true,
            id: REPORT_CHANNEL_ID,
          });
          link.report.onmessage = (event) => {
            const ms = parseNearestReport(event.data);
            if (ms !== undefined) link.remoteNearestMs = ms;
          };
        }
      });
    }

    override createDataChannel(
      ...args: Parameters<RTCPeerConnection["createDataChannel"]>
    ): RTCDataChannel {
      const channel = super.createDataChannel(...args);
      this.#link.channels.add(channel);
      return channel;
    }
  };
}

/** Round trip (ms), its readings and bytes so far of a connection's selected candidate pair. */
async function measure(
  connection: RTCPeerConnection,
): Promise<{ rttMs?: number; readings: number; bytes: number } | undefined> {
  const report = await connection.getStats();
  let pairId: string | undefined;
  report.forEach((stat) => {
    if (stat.type === "transport" && stat.selectedCandidatePairId) {
      pairId = stat.selectedCandidatePairId;
    }
  });
  const pair = pairId ? report.get(pairId) : undefined;
  if (!pair) return undefined;
  const rtt = pair.currentRoundTripTime as number | undefined;
  return {
    rttMs: typeof rtt === "number" ? rtt * 1000 : undefined,
    readings: pair.responsesReceived ?? 0,
    bytes: (pair.bytesSent ?? 0) + (pair.bytesReceived ?? 0),
  };
}

/** What {@linkcode startNearFirst} tells its caller. */
export interface NearFirstHooks {
  /** A far link closed: its round trip, this end's nearest and the other end's (ms). */
  onClose?: (
    rttMs: number,
    nearestMs: number,
    remoteNearestMs?: number,
  ) => void;
  /** The nearest round trip this end reports changed (ms, rounded). */
  onNearest?: (nearestMs: number) => void;
}

/**
 * Sample the page's connected links every {@linkcode SAMPLE_MS}, report this
 * end's nearest round trip to each peer, and close the far ones once enough
 * are near ({@linkcode linksToClose}), telling `hooks` of each. Returns a
 * stop function.
 */
export function startNearFirst(hooks: NearFirstHooks = {}): () => void {
  let reported: number | undefined;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const open = [...links].filter((link) =>
        link.connection.connectionState === "connected"
      );
      const samples = await Promise.all(open.map(async (link) => {
        const figures = await measure(link.connection).catch(() => undefined);
        const previous = link.bytes;
        link.bytes = figures?.bytes;
        if (figures?.rttMs !== undefined && figures.readings > link.readings) {
          link.minRttMs = Math.min(link.minRttMs ?? Infinity, figures.rttMs);
          link.readings = figures.readings;
        }
        return {
          rttMs: link.minRttMs,
          settled: link.readings >= MIN_READINGS &&
            performance.now() - link.since >= MIN_AGE_MS,
          idle: figures !== undefined && previous !== undefined &&
            figures.bytes - previous < IDLE_BYTES,
          busySamples: link.busySamples,
          remoteNearestMs: link.remoteNearestMs,
        };
      }));
      const nearest = nearestRttMs(samples);
      if (nearest !== Infinity) {
        const rounded = Math.round(nearest);
        if (rounded !== reported) hooks.onNearest?.(rounded);
        reported = rounded;
        for (const link of open) {
          if (link.report?.readyState === "open") {
            link.report.send(String(rounded));
          }
        }
      }
      const far = farLinks(samples);
      // Decided on the busy counts so far, then counted on.
      const closing = linksToClose(samples, NEAR_ENOUGH, far);
      open.forEach((link, i) => {
        link.busySamples = far.includes(i) && !samples[i]!.idle
          ? link.busySamples + 1
          : 0;
      });
      for (const i of closing) {
        const link = open[i]!;
        links.delete(link);
        // Closing the channel (not the connection) lets the engine see it.
        for (const channel of link.channels) channel.close();
        link.report?.close();
        if (!link.channels.size) link.connection.close();
        hooks.onClose?.(
          samples[i]!.rttMs!,
          nearest,
          samples[i]!.remoteNearestMs,
        );
      }
    } finally {
      busy = false;
    }
  }, SAMPLE_MS);
  return () => clearInterval(timer);
}
