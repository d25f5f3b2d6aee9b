/**
 * The viewer's downlink as p2p-media-loader's HTTP requests see it, for the
 * bandwidth estimate that picks the rendition (p2p_abr_controller.ts).
 *
 * Resource Timing reports only the fetches that complete. A fetch the core
 * gives up in a dip of the line (no byte for 3 s, or hls.js's emergency
 * switch) leaves no entry, so the estimate kept the rate measured before
 * the dip, and hls.js went back to the top rendition with a second left in
 * its buffer: traced on `dips` live, the 4G late joiner stalled twice that
 * way, where the same viewer over HTTP only (whose hls.js measures its slow
 * fetch) stayed a step down until its buffer had grown back. Here a sample
 * is the HTTP bytes over the time any request was in flight, taken each
 * time a request ends, however it ends.
 * @module
 */

/** Bytes received over a stretch of time with an HTTP request in flight. */
export interface LineSample {
  /** Milliseconds with at least one request in flight. */
  durationMs: number;
  /** Bytes received meanwhile. */
  bytes: number;
}

/**
 * Shorter stretches are carried into the next sample: a request the core
 * cancels a moment after starting it says nothing about the line.
 */
export const MIN_SAMPLE_MS = 250;

/**
 * HTTP throughput over the time requests are in flight, the slow and
 * abandoned ones included.
 *
 * @example
 * ```ts
 * const line = new HttpLineMeter();
 * line.listen((sample) => console.log(sample));
 * line.started(0);
 * line.received(100_000);
 * line.ended(3000); // logs { durationMs: 3000, bytes: 100000 }: a dip
 * ```
 */
export class HttpLineMeter {
  #inFlight = 0;
  #since = 0;
  #busyMs = 0;
  #bytes = 0;
  #listeners = new Set<(sample: LineSample) => void>();

  /** Call `listener` with each sample; returns what stops it. */
  listen(listener: (sample: LineSample) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A request started at `now` (ms). */
  started(now: number): void {
    if (this.#inFlight++ === 0) this.#since = now;
  }

  /** `bytes` arrived for a request in flight. */
  received(bytes: number): void {
    if (this.#inFlight > 0) this.#bytes += bytes;
  }

  /** A request ended at `now` (ms): loaded, failed or aborted. */
  ended(now: number): void {
    if (this.#inFlight === 0) return;
    this.#inFlight--;
    this.#busyMs += Math.max(0, now - this.#since);
    this.#since = now;
    if (this.#busyMs < MIN_SAMPLE_MS) return;
    const sample = { durationMs: this.#busyMs, bytes: this.#bytes };
    this.#busyMs = 0;
    this.#bytes = 0;
    for (const listener of this.#listeners) listener(sample);
  }
}
