/**
 * hls.js's own ABR controller, extended with the swarm (see p2p_abr.ts):
 * its bandwidth estimate is fed by HTTP only (p2p-media-loader's requests
 * through {@linkcode HttpLineMeter}, hls.js's own through Resource
 * Timing), its choice goes through {@linkcode chooseRendition}, and its
 * emergency switch watches the fragments p2p-media-loader loads
 * ({@linkcode watchCoreLoad}), with the core's HTTP bytes for them
 * ({@linkcode CoreProgress}).
 * It stays hls.js's class (its public `nextAutoLevel` and
 * `resetEstimator`), so an hls.js upgrade keeps working. Browser-only.
 * @module
 */
import type Hls from "hls.js";
import type { AbrController, Events, FragLoadingData } from "hls.js";
import {
  chooseRendition,
  httpSample,
  type RenditionChoice,
  watchCoreLoad,
} from "./p2p_abr.ts";
import { bufferAhead } from "./media_buffer.ts";
import type { HttpLineMeter } from "./http_line.ts";
import type { CoreProgress } from "./core_progress.ts";

/** What the controller reads and tells. */
export interface SwarmAbrSources {
  /** Peers watching each level now (this viewer excluded); empty when unknown. */
  swarmPeers(): readonly number[];
  /** Called with each decision that differs from the last. */
  onChoice?(choice: RenditionChoice, stock: number): void;
  /** p2p-media-loader's HTTP requests, measured (the segments it loads). */
  httpLine?: HttpLineMeter;
  /** The core's progress with the fragment loading, shown to the emergency switch. */
  coreProgress?: CoreProgress;
}

/** An ABR controller class for hls.js's `abrController` setting. */
export function p2pAbrController(
  Base: typeof AbrController,
  sources: SwarmAbrSources,
): typeof AbrController {
  return class P2PAbrController extends Base {
    #observer?: PerformanceObserver;
    #stopLine?: () => void;
    #feed: (durationMs: number, bytes: number) => void = () => {};
    #httpBps?: number;
    #last?: RenditionChoice;

    constructor(hls: Hls) {
      super(hls);
      this.#takeOverEstimator();
      this.#stopLine = sources.httpLine?.listen((sample) =>
        this.#sample(sample.durationMs, sample.bytes)
      );
      if (typeof PerformanceObserver === "function") {
        this.#observer = new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            const sample = httpSample(entry as PerformanceResourceTiming);
            if (sample) this.#sample(sample.durationMs, sample.bytes);
          }
        });
        this.#observer.observe({ type: "resource", buffered: true });
      }
    }

    #sample(durationMs: number, bytes: number): void {
      this.#feed(durationMs, bytes);
      this.#httpBps = this.bwEstimator.getEstimate();
    }

    /**
     * hls.js samples every fragment it buffers, peers' included (with
     * timings p2p-media-loader makes up): those samples are dropped, and
     * only HTTP fetches measured by the browser feed the estimate.
     */
    #takeOverEstimator(): void {
      const estimator = this.bwEstimator;
      const sample = estimator.sample.bind(estimator);
      this.#feed = sample;
      estimator.sample = () => {};
    }

    /**
     * hls.js's emergency switch watches the fragments the core loads too
     * (see {@linkcode watchCoreLoad}), with the core's HTTP bytes for them.
     */
    protected override onFragLoading(
      event: Events.FRAG_LOADING,
      data: FragLoadingData,
    ): void {
      super.onFragLoading(event, data);
      const { stats } = data.part ?? data.frag;
      if (watchCoreLoad(stats, performance.now())) {
        sources.coreProgress?.watch(data.frag.url, stats);
      }
    }

    override resetEstimator(abrEwmaDefaultEstimate?: number): void {
      super.resetEstimator(abrEwmaDefaultEstimate);
      this.#takeOverEstimator();
      // The estimate starts again from what comes next, as hls.js's own
      // does after an emergency switch: a request the switch left stuck in
      // a dip would otherwise weigh seconds of silence into it (traced on
      // `dips` live: 20 s to climb back from the lowest rendition, against
      // a few seconds over HTTP only).
      sources.httpLine?.restart();
    }

    override get nextAutoLevel(): number {
      const stock = super.nextAutoLevel;
      const levels = this.hls?.levels ?? [];
      const choice = chooseRendition({
        bitrates: levels.map((level) => level.bitrate),
        stock,
        swarmPeers: sources.swarmPeers(),
        bufferSeconds: bufferAhead(this.hls?.media ?? null),
        httpBps: this.#httpBps,
      });
      if (
        choice.level !== this.#last?.level ||
        choice.reason !== this.#last?.reason
      ) {
        this.#last = choice;
        sources.onChoice?.(choice, stock);
      }
      return choice.level;
    }

    override set nextAutoLevel(level: number) {
      super.nextAutoLevel = level;
    }

    override destroy(): void {
      this.#observer?.disconnect();
      this.#stopLine?.();
      super.destroy();
    }
  };
}
