/**
 * Shows hls.js how far p2p-media-loader's core has got with the fragment
 * hls.js waits for, as hls.js's own loader would. The core reports nothing
 * until a segment is complete, so hls.js's emergency switch (turned back on
 * for the core's loads: `watchCoreLoad` in p2p_abr.ts) judged every such
 * fragment as if no byte had come: traced on `dips` live, the 4G late
 * joiner had 765 KB of a 1.1 MB segment when its line stopped, and hls.js
 * gave the segment up for the lowest rendition once its buffer ran low,
 * then stalled while that one loaded; over HTTP only, hls.js saw the bytes,
 * waited for the rest, and played on. Only HTTP bytes count, from the
 * core's events (a chunk belongs to the one HTTP request in flight): a
 * peer's transfer is not the only way to the segment, since the core
 * finishes it over HTTP once the segment nears the playhead. Counting a
 * slow peer's bytes (one lab run) made hls.js give up four segments for the
 * lowest rendition with 7 s buffered, and the 4G joiner played 10 % below
 * its HTTP-only twin.
 * @module
 */

/** The parts of hls.js's `LoaderStats` this updates. */
export interface FragmentProgress {
  /** Bytes loaded so far. */
  loaded: number;
  /** When loading started and when its first byte came (`performance.now()`, 0 if not yet). */
  loading: { start: number; first: number };
}

/**
 * The current fragment's HTTP progress, fed by the core's segment and
 * chunk events.
 *
 * @example
 * ```ts
 * const progress = new CoreProgress();
 * const stats = { loaded: 0, loading: { start: 1000, first: 0 } };
 * progress.watch("https://cdn.example/seg_7.ts", stats);
 * progress.started("https://cdn.example/seg_7.ts", "http");
 * progress.chunk(64_000, "http", 1100);
 * // stats: { loaded: 64000, loading: { start: 1000, first: 1100 } }
 * ```
 */
export class CoreProgress {
  #url?: string;
  #stats?: FragmentProgress;
  /** The segments the core's HTTP requests in flight are for. */
  #http: string[] = [];

  /** From now on, count the core's bytes for `url` into `stats` (the fragment hls.js loads now). */
  watch(url: string, stats: FragmentProgress): void {
    this.#url = url;
    this.#stats = stats;
  }

  /** The core started loading `url` from `source`. */
  started(url: string, source: string | undefined): void {
    if (source === "http") this.#http.push(url);
  }

  /** The core's request for `url` from `source` ended: loaded, failed or aborted. */
  ended(url: string, source: string | undefined): void {
    const at = source === "http" ? this.#http.indexOf(url) : -1;
    if (at !== -1) this.#http.splice(at, 1);
  }

  /** `bytes` arrived at `now` (ms) from `source`. */
  chunk(bytes: number, source: string, now: number): void {
    const stats = this.#stats;
    if (
      source !== "http" || this.#http.length !== 1 ||
      this.#http[0] !== this.#url || !stats
    ) return;
    stats.loaded += bytes;
    if (!stats.loading.first) stats.loading.first = now;
  }
}
