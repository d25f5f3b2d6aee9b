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
 * is the HTTP bytes over the time they flowed, from a request's first byte
 * to its end, taken each time a request ends, however it ends: a dip in
 * the middle of a transfer counts. As in hls.js, the wait for a first byte
 * does not: it is the round trip, and would make small segments look slow
 * (a first version counted it, and a 4G viewer that had met a dip climbed
 * back from the lowest rendition in 20 s where plain hls.js took 3); nor
 * does a request that got no byte at all.
 * @module
 */

/** Bytes received over a stretch of time while HTTP bytes flowed. */
export interface LineSample {
  /** Milliseconds from a request's first byte to its end, summed. */
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
 * HTTP throughput over the time bytes flow, from each request's first byte
 * to its end, the slow and abandoned ones included.
 *
 * @example
 * ```ts
 * const line = new HttpLineMeter();
 * line.listen((sample) => console.log(sample));
 * line.started();
 * line.received(100_000, 60);
 * line.ended(3060); // logs { durationMs: 3000, bytes: 100000 }: a dip
 * ```
 */
export class HttpLineMeter {
  #inFlight = 0;
  /** When bytes started flowing. */
  #flowingSince?: number;
  #busyMs = 0;
  #bytes = 0;
  #listeners = new Set<(sample: LineSample) => void>();

  /** Call `listener` with each sample; returns what stops it. */
  listen(listener: (sample: LineSample) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A request started. */
  started(): void {
    this.#inFlight++;
  }

  /** `bytes` arrived at `now` (ms) for a request in flight. */
  received(bytes: number, now: number): void {
    if (this.#inFlight === 0) return;
    this.#bytes += bytes;
    this.#flowingSince ??= now;
  }

  /**
   * Forget what has not been told yet, and wait for a new first byte: hls.js
   * reset its estimate (its emergency switch does, once it has counted the
   * fragment it gives up), so what came before belongs to the old one.
   */
  restart(): void {
    this.#busyMs = 0;
    this.#bytes = 0;
    this.#flowingSince = undefined;
  }

  /** A request ended at `now` (ms): loaded, failed or aborted. */
  ended(now: number): void {
    if (this.#inFlight === 0) return;
    this.#inFlight--;
    if (this.#flowingSince !== undefined) {
      this.#busyMs += Math.max(0, now - this.#flowingSince);
      this.#flowingSince = this.#inFlight > 0 ? now : undefined;
    }
    if (this.#busyMs < MIN_SAMPLE_MS) return;
    const sample = { durationMs: this.#busyMs, bytes: this.#bytes };
    this.#busyMs = 0;
    this.#bytes = 0;
    for (const listener of this.#listeners) listener(sample);
  }
}
