/**
 * One direction of a viewer's access link, in user space (this kernel has
 * no `netem`): a FIFO drained at the link's rate, then a one-way delay with
 * slow jitter that never reorders, random loss for datagrams, and a buffer
 * of `queueMs`; optionally a dip: the line carries nothing for `dipMs`
 * every `dipEveryMs` (a tunnel, a crowded cell), bytes waiting meanwhile.
 * Datagrams that find the buffer full are dropped (as a
 * router drops UDP); a byte stream (a proxied TCP connection) is told to
 * pause instead, and resumes when the queue drained to three quarters, so
 * HTTP and P2P share the link and HTTP's queue delays P2P as on a real line.
 * TCP loss and slow start are not modelled, which favours HTTP.
 * @module
 */

/** The shape of one direction. */
export interface LinkShape {
  /** Bits per second. */
  rateBps: number;
  /** One-way delay (ms). */
  delayMs: number;
  /** The delay wanders within ± this (ms), changing every {@linkcode JITTER_STEP_MS}. */
  jitterMs?: number;
  /** Share of datagrams lost (0–1). */
  loss?: number;
  /** Buffer, as ms of queueing at the link's rate (default 200). */
  queueMs?: number;
  /** The line stops this long (ms) once every {@linkcode LinkShape.dipEveryMs} (default: never). */
  dipMs?: number;
  /** How often it stops (ms). */
  dipEveryMs?: number;
  /** When its first stop begins (ms after the link was made). */
  dipPhaseMs?: number;
}

/** How often the jitter offset is drawn again (ms). */
export const JITTER_STEP_MS = 100;

/** Bytes a UDP/IPv4 header adds to each datagram on the wire. */
export const DATAGRAM_OVERHEAD = 28;

/** What a link carried. */
export interface LinkCounters {
  /** Bytes delivered (payload). */
  bytes: number;
  /** Datagrams dropped because the buffer was full. */
  overflowDrops: number;
  /** Datagrams lost at random. */
  randomDrops: number;
  /** Datagrams sent. */
  datagrams: number;
}

interface InFlight {
  at: number;
  bytes: number;
  deliver: () => void;
}

/** One direction of a shaped link. */
export class Link {
  readonly shape: Required<LinkShape>;
  /** What it carried. */
  readonly counters: LinkCounters = {
    bytes: 0,
    overflowDrops: 0,
    randomDrops: 0,
    datagrams: 0,
  };
  #clock: () => number;
  #random: () => number;
  /** When the last byte queued so far leaves the link (ms on the clock). */
  #lastDeparture = 0;
  #lastArrival = 0;
  #flight: InFlight[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #jitter = 0;
  #jitterDrawnAt = -Infinity;
  #paused = new Set<() => void>();
  #madeAt: number;

  constructor(
    shape: LinkShape,
    clock: () => number = () => performance.now(),
    random: () => number = Math.random,
  ) {
    if (!(shape.rateBps > 0) || !(shape.delayMs >= 0)) {
      throw new RangeError(
        `Invalid link: rate ${shape.rateBps} bit/s, delay ${shape.delayMs} ms`,
      );
    }
    if (shape.dipMs && !(shape.dipMs < (shape.dipEveryMs ?? 0))) {
      throw new RangeError(
        `Invalid link: dips of ${shape.dipMs} ms every ${shape.dipEveryMs} ms`,
      );
    }
    this.shape = {
      jitterMs: 0,
      loss: 0,
      queueMs: 200,
      dipMs: 0,
      dipEveryMs: Infinity,
      dipPhaseMs: 0,
      ...shape,
    };
    this.#clock = clock;
    this.#random = random;
    this.#madeAt = clock();
  }

  /** Queueing delay a byte sent now would see (ms). */
  backlogMs(): number {
    return Math.max(0, this.#lastDeparture - this.#clock());
  }

  /** Largest piece a stream should send at once: about 2 ms of the link, at least one MSS. */
  get pieceBytes(): number {
    return Math.max(1460, Math.floor(this.shape.rateBps / 8 * 0.002));
  }

  /**
   * Send a datagram of `bytes`; `deliver` runs when it arrives. Returns
   * false when it was dropped (buffer full, or lost).
   */
  sendDatagram(bytes: number, deliver: () => void): boolean {
    this.counters.datagrams++;
    if (this.backlogMs() > this.shape.queueMs) {
      this.counters.overflowDrops++;
      return false;
    }
    if (this.#random() < this.shape.loss) {
      // Lost on the way: it used the link all the same.
      this.#occupy(bytes + DATAGRAM_OVERHEAD);
      this.counters.randomDrops++;
      return false;
    }
    this.#schedule(this.#occupy(bytes + DATAGRAM_OVERHEAD), bytes, deliver);
    return true;
  }

  /**
   * Send a piece of a byte stream; it always arrives, in order. Returns
   * false when the stream should pause: `resume` is called once the queue
   * drained enough.
   */
  sendStream(bytes: number, deliver: () => void, resume: () => void): boolean {
    // TCP/IP headers: 40 bytes per MSS.
    const wire = bytes + 40 * Math.ceil(bytes / 1460);
    this.#schedule(this.#occupy(wire), bytes, deliver);
    if (this.backlogMs() <= this.shape.queueMs) return true;
    this.#paused.add(resume);
    this.#arm();
    return false;
  }

  /** Drop what is in flight and stop the timer (the viewer left). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flight = [];
    this.#head = 0;
    this.#paused.clear();
  }

  /** Put `wireBytes` on the link; returns when they have left it. */
  #occupy(wireBytes: number): number {
    const now = this.#clock();
    const start = this.#afterDip(Math.max(now, this.#lastDeparture));
    this.#lastDeparture = start + wireBytes * 8 / this.shape.rateBps * 1000;
    return this.#lastDeparture;
  }

  /** `at`, or the end of the dip `at` falls in. */
  #afterDip(at: number): number {
    const { dipMs, dipEveryMs, dipPhaseMs } = this.shape;
    const since = at - this.#madeAt - dipPhaseMs;
    if (!dipMs || since < 0) return at;
    const into = since % dipEveryMs;
    return into < dipMs ? at + dipMs - into : at;
  }

  #schedule(departure: number, bytes: number, deliver: () => void): void {
    const at = Math.max(
      this.#lastArrival,
      departure + this.shape.delayMs + this.#jitterAt(departure),
    );
    this.#lastArrival = at;
    this.#flight.push({ at, bytes, deliver });
    this.#arm();
  }

  #jitterAt(now: number): number {
    const { jitterMs } = this.shape;
    if (jitterMs === 0) return 0;
    if (now - this.#jitterDrawnAt >= JITTER_STEP_MS) {
      this.#jitter = (this.#random() * 2 - 1) * jitterMs;
      this.#jitterDrawnAt = now;
    }
    return this.#jitter;
  }

  /** One timer per link: for the next arrival, or the next resume check. */
  #arm(): void {
    if (this.#timer !== undefined) return;
    const next = this.#flight[this.#head];
    const now = this.#clock();
    const wait = next
      ? next.at - now
      : this.#paused.size
      ? this.backlogMs() - this.shape.queueMs * 0.75
      : undefined;
    if (wait === undefined) return;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, wait));
  }

  #tick(): void {
    this.#timer = undefined;
    const now = this.#clock();
    while (this.#head < this.#flight.length) {
      const item = this.#flight[this.#head]!;
      if (item.at > now + 0.5) break;
      this.#head++;
      this.counters.bytes += item.bytes;
      item.deliver();
    }
    if (this.#head > 1024 && this.#head * 2 > this.#flight.length) {
      this.#flight = this.#flight.slice(this.#head);
      this.#head = 0;
    }
    if (this.#paused.size && this.backlogMs() <= this.shape.queueMs * 0.75) {
      const waiting = [...this.#paused];
      this.#paused.clear();
      for (const resume of waiting) resume();
    }
    this.#arm();
  }
}
