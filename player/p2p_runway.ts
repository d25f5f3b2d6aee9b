/**
 * A runway for peers (VOD). p2p-media-loader asks peers for the segments
 * right after its high-demand window, and a segment that enters the window
 * before its transfer finished goes to HTTP. So a viewer whose buffer ends
 * at the window gives each transfer at most one segment's time: when a
 * transfer takes longer (a relay into a 4G line: 2–5 s for a 2 s
 * segment), every race is lost, the buffer never grows beyond the window,
 * and the next race starts just as close to its deadline. Measured in the
 * lab (`mixed`, a quarter rate): a 4G joiner lost every race for 20 s,
 * while the same peers, once its buffer held 11 s, delivered every segment
 * to the end.
 *
 * A lost race costs more than its segment: the peer's queued bytes of the
 * cancelled transfer (up to 128 KiB: the data channel's buffer and a
 * message) still arrive ahead of the next one, which then starts late and
 * loses too, until p2p-media-loader drops the peer after three transfers
 * without bytes (both 4G joiners of the lab's runs lost their first two
 * peers so, and played HTTP until new connections came).
 *
 * So HTTP builds a runway: the window widens by one transfer time and one
 * segment until the buffer holds it, then narrows again, and the transfers
 * that follow start that far from their deadline. Who builds one:
 *
 * - a viewer whose HTTP fetch of a segment takes over a quarter of its
 *   playing time ({@linkcode SLOW_LINE_SHARE}), before its first transfer,
 *   expecting that transfer to take two segments' playing time;
 * - a viewer that loses a race while the buffer beyond the window is
 *   shorter than a transfer takes here, when its transfers take longer than
 *   a segment plays (the buffer cannot grow from one peer on its own) and
 *   its peers together still keep up with the stream.
 *
 * Where the peers cannot keep up (the lab's 4G line at full rate: one
 * relayed flow at 1 % loss carries 1.1–1.4 Mbit/s of a 4.5 Mbit/s stream)
 * a runway only runs out again, and widening the window cancels every
 * transfer inside it. A viewer whose peers deliver faster than the stream
 * plays (fiber) never builds one: a race it loses (a first transfer on a
 * new connection) costs a segment, and its buffer grows from peers on its
 * own.
 * @module
 */
import type { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import { MAX_WINDOW_S, smoothFetchSeconds } from "./p2p_pacing.ts";
import { setNewest } from "../utils/lru.ts";

/** Transfers in flight a runway keeps track of (p2p-media-loader runs 3 at most). */
export const MAX_TRACKED_TRANSFERS = 16;

/**
 * A line whose HTTP fetch of a segment takes more than this share of its
 * playing time builds a runway before its first transfer (a 4G line of the
 * lab: 0.45; fiber: 0.1).
 */
export const SLOW_LINE_SHARE = 0.25;
/**
 * What a first transfer is expected to take on such a line, in segments'
 * playing time (measured: 4.9 s for a 2 s segment over a fresh relayed
 * connection to a 4G joiner, 2.1–3.3 s after).
 */
export const FIRST_TRANSFER_SEGMENTS = 2;

/** What {@linkcode Runway.extraSeconds} weighs. */
export interface RunwayInputs {
  /** Seconds buffered ahead of the playhead. */
  bufferAheadSeconds: number;
  /** The high-demand window without a runway (seconds). */
  windowSeconds: number;
  /** Seconds of media in a segment. */
  segmentSeconds: number;
  /** Seconds an HTTP segment fetch takes here (smoothed), once measured. */
  httpFetchSeconds?: number;
  /** Peers connected now (each carries one transfer at a time). */
  peers?: number;
}

/** P2P transfer times and the runway they call for. */
export class Runway {
  #started = new Map<string, number>();
  #transferSeconds: number | undefined;
  #lostRace = false;
  #building = false;
  #lineWeighed = false;

  /** Seconds a P2P transfer takes here (smoothed, a slower one counts at once), once measured. */
  get transferSeconds(): number | undefined {
    return this.#transferSeconds;
  }

  /** Whether HTTP is building the runway now. */
  get building(): boolean {
    return this.#building;
  }

  /** A peer started sending segment `key` at `nowMs`. */
  started(key: string, nowMs: number): void {
    setNewest(this.#started, key, nowMs, MAX_TRACKED_TRANSFERS);
  }

  /**
   * The transfer of `key` ended at `nowMs`: `won` when the peer delivered
   * it, else lost (finished over HTTP, or no bytes in time). A lost
   * transfer's time is a lower bound of what it would have taken.
   */
  ended(key: string, nowMs: number, won: boolean): void {
    const startedAt = this.#started.get(key);
    if (startedAt === undefined) return;
    this.#started.delete(key);
    this.#transferSeconds = smoothFetchSeconds(
      this.#transferSeconds,
      Math.max(0, nowMs - startedAt) / 1000,
    );
    if (!won) this.#lostRace = true;
  }

  /**
   * Seconds to add to the high-demand window now.
   *
   * @example
   * ```ts
   * const runway = new Runway();
   * runway.started("seg_4", 0);
   * runway.ended("seg_4", 2500, false); // lost after 2.5 s
   * const now = { windowSeconds: 3.8, segmentSeconds: 2, peers: 2 };
   * runway.extraSeconds({ ...now, bufferAheadSeconds: 3.5 }); // 4.5: 2.5 s + 2 s beyond the window
   * runway.extraSeconds({ ...now, bufferAheadSeconds: 8.3 }); // 0: built, peers take over
   * ```
   */
  extraSeconds(inputs: RunwayInputs): number {
    const { bufferAheadSeconds, windowSeconds, segmentSeconds } = inputs;
    if (
      !this.#lineWeighed && this.#transferSeconds === undefined &&
      inputs.httpFetchSeconds !== undefined
    ) {
      // Before the first transfer: a slow line expects a slow peer.
      this.#lineWeighed = true;
      if (
        inputs.httpFetchSeconds > SLOW_LINE_SHARE * segmentSeconds &&
        bufferAheadSeconds - windowSeconds <
          FIRST_TRANSFER_SEGMENTS * segmentSeconds
      ) {
        this.#transferSeconds = FIRST_TRANSFER_SEGMENTS * segmentSeconds;
        this.#building = true;
      }
    }
    const transfer = this.#transferSeconds;
    const lost = this.#lostRace;
    this.#lostRace = false;
    if (transfer === undefined) return 0;
    const runway = Math.max(
      0,
      Math.min(transfer + segmentSeconds, MAX_WINDOW_S - windowSeconds),
    );
    if (this.#building) {
      if (bufferAheadSeconds >= windowSeconds + runway) this.#building = false;
    } else if (
      lost && transfer > segmentSeconds &&
      (inputs.peers ?? 1) * segmentSeconds >= transfer &&
      bufferAheadSeconds - windowSeconds < transfer
    ) {
      this.#building = true;
    }
    return this.#building ? runway : 0;
  }
}

/** Feed `engine`'s P2P transfers (started, delivered, lost) into `runway`. Browser-only. */
export function followRaces(engine: HlsJsP2PEngine, runway: Runway): void {
  engine.addEventListener("onSegmentStart", ({ segment, downloadSource }) => {
    if (downloadSource === "p2p") {
      runway.started(segment.url, performance.now());
    }
  });
  engine.addEventListener("onSegmentLoaded", (details) => {
    if (details.downloadSource === "p2p") {
      runway.ended(details.segmentUrl, performance.now(), true);
    }
  });
  const lost = (
    details: { segment: { url: string }; downloadSource?: string },
  ) => {
    if (details.downloadSource === "p2p") {
      runway.ended(details.segment.url, performance.now(), false);
    }
  };
  engine.addEventListener("onSegmentAbort", lost);
  engine.addEventListener("onSegmentError", lost);
}
