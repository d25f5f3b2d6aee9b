/**
 * One run of the lab: real Chromium viewers of one lab channel (VOD or
 * live) join one after another, each through its own shaped access (or raw
 * loopback), two of them crash mid-stream (no `stopped`, peers vanish
 * mid-transfer) and one joins late; then what each viewer saw and what the
 * origin sent. The same scenario runs with P2P off for the baseline.
 * @module
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { PlayerP2PConfig } from "../../p2p/config.ts";
import { DEFAULT_CLUSTER_CONFIG } from "../../tracker/cluster/mod.ts";
import { DEFAULT_LOCALITY_CONFIG } from "../../tracker/locality.ts";
import { startCoturn, type TestTurn } from "../coturn.ts";
import { startRedis } from "../redis_server.ts";
import type { LabMedia } from "./media.ts";
import { type LabNetwork, startLabNetwork, viewerAddress } from "./network.ts";
import type { AccessCounters } from "./access_proxy.ts";
import { type LabOrigin, type OriginCounts, startLabOrigin } from "./origin.ts";
import type { NetworkProfile } from "./profiles.ts";
import { measureCpuLoad } from "./cpu_load.ts";
import {
  type PlaybackFigures,
  playbackProbe,
  readPlayback,
  turnDetour,
} from "./viewer_probe.ts";
import { churnPlan } from "./churn.ts";
import { lightViewerPath, prepareLightViewer } from "./light_viewer.ts";

/** What a run does. */
export interface ScenarioOptions {
  /** The viewers' network. */
  profile: NetworkProfile;
  /** Which lab channel. */
  kind: "vod" | "live";
  /** The lab's media. */
  media: LabMedia;
  /** Real players in all (the late joiner included). */
  viewers: number;
  /** Light viewers besides them (light_viewer.ts): P2P without the video. */
  light?: number;
  /** Seconds between joins. */
  staggerSeconds: number;
  /** Media seconds each viewer plays before the run ends. */
  watchSeconds: number;
  /** Two viewers crash mid-stream and one joins late. */
  churn: boolean;
  /** P2P on (the run) or off (the baseline). */
  p2p: boolean;
  /** P2P settings (tuning from the environment); ICE and TURN are the lab's. */
  p2pConfig: Partial<PlayerP2PConfig>;
  /** App instances sharing one `redis-server` (1: no Redis); viewers take them in turn. */
  instances: number;
  /** Keep each viewer's P2P event log (`?debug=p2p`) in {@linkcode RunOutcome.traces}. */
  trace?: boolean;
  /** The tracker's nearby-peers-first choice (`LOCALITY`); on by default. */
  locality?: boolean;
}

/** One viewer's run. */
export interface ViewerOutcome extends PlaybackFigures {
  /** Its line (`fiber`, `4g`, `loopback`…). */
  line: string;
  /** Seconds after the first join. */
  joinedAt: number;
  /** Whether it crashed mid-stream. */
  crashed: boolean;
  /** A light viewer (no video: its start-up is its first segment). */
  light: boolean;
}

/** What a run measured. */
export interface RunOutcome {
  /** Each viewer, in join order. */
  viewers: ViewerOutcome[];
  /** What the origin sent (every instance). */
  origin: OriginCounts;
  /** What each viewer's links carried (lab profiles). */
  links?: AccessCounters[];
  /** Each viewer's P2P events (with `trace`; a crashed viewer's up to its crash). */
  traces?: unknown[][];
  /** Seconds the run took. */
  seconds: number;
  /** Mean share of the machine's CPU in use during the run (0–1). */
  cpuLoad: number;
}

/** The lab channels' ids. */
export const LAB_CHANNELS = { vod: "lab-vod", live: "lab-live" } as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Write the lab's catalog (its VOD and live channels) into `dir`; returns the file. */
export async function writeLabCatalog(
  dir: string,
  media: LabMedia,
): Promise<string> {
  const file = `${dir}/channels.json`;
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      channels: [
        {
          id: LAB_CHANNELS.vod,
          name: "Lab VOD",
          url: `/media/${media.name}/master.m3u8`,
          category: "Lab",
        },
        {
          id: LAB_CHANNELS.live,
          name: "Lab ao vivo",
          url: `/live/${media.name}/master.m3u8`,
          category: "Lab",
        },
      ],
    }),
  );
  return file;
}

/** A viewer's P2P event log (`?debug=p2p`), its connections and buffer samples. */
function readTrace(page: Page): Promise<unknown[]> {
  return page.evaluate(() => {
    const scope = globalThis as {
      __redflixP2P?: { events: Array<{ type: string }> };
      __lab?: {
        samples: number[][];
        rtc?: Array<{ made: number }>;
        selfId?: string;
      };
    };
    return [
      { type: "self", at: 0, peerId: scope.__lab?.selfId },
      // Chunks too: they say what a peer sent of a segment HTTP finished.
      ...(scope.__redflixP2P?.events ?? []),
      ...(scope.__lab?.rtc ?? []).map((entry) => ({
        type: "rtc",
        at: entry.made,
        ...entry,
      })),
      ...(scope.__lab?.samples ?? []).map(([at, time, ahead]) => ({
        type: "buffer",
        at,
        time,
        ahead,
      })),
    ];
  }).catch(() => []);
}

/** Crash a page's renderer: no unload, no `stopped`, its peers just vanish. */
export async function crash(page: Page): Promise<void> {
  const session = await page.context().newCDPSession(page);
  await Promise.race([session.send("Page.crash").catch(() => {}), sleep(2000)]);
}

/** Run the scenario once with `browser`. */
export async function runScenario(
  browser: Browser,
  options: ScenarioOptions,
): Promise<RunOutcome> {
  const started = performance.now();
  const cpuLoad = measureCpuLoad();
  const dir = await Deno.makeTempDir({ prefix: "redflix-lab-" });
  const shaped = options.profile.access(0) !== undefined;
  const secret = crypto.randomUUID();
  let turn: TestTurn | undefined;
  const origins: LabOrigin[] = [];
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  let network: LabNetwork | undefined;
  const contexts: BrowserContext[] = [];
  try {
    if (shaped && options.p2p) turn = await startCoturn({ secret });
    if (options.instances > 1) redis = await startRedis();
    const channelsFile = await writeLabCatalog(dir, options.media);
    for (let i = 0; i < options.instances; i++) {
      origins.push(
        await startLabOrigin(
          {
            channelsFile,
            buildDir: false, // the islands as they are now, never a stale build
            p2p: {
              ...options.p2pConfig,
              enabled: options.p2p,
              iceServers: [],
              // The lab shapes P2P where it can: on the way to and from the relay.
              relayOnly: turn !== undefined,
              nearFirst: options.locality ?? true,
            },
            turn: turn ? { urls: [turn.url], secret, ttlS: 3600 } : undefined,
            tracker: {
              locality: {
                ...DEFAULT_LOCALITY_CONFIG,
                enabled: options.locality ?? true,
              },
            },
            cluster: redis
              ? {
                ...DEFAULT_CLUSTER_CONFIG,
                backend: "redis",
                redisUrl: redis.url,
              }
              : undefined,
          },
          {
            airingGapMs: options.kind === "live"
              ? options.media.seconds * 500
              : Infinity,
            warmUpPath: `/watch/${LAB_CHANNELS[options.kind]}`,
          },
        ),
      );
    }
    const originOf = (i: number) => origins[i % origins.length]!;
    const light = options.light ?? 0;
    if (light) await prepareLightViewer();
    const lines = Array.from(
      { length: options.viewers + light },
      (_, i) => options.profile.access(i),
    );
    if (shaped) {
      network = await startLabNetwork({
        turnPort: turn?.port,
        viewers: lines.map((access, i) => ({
          // Each region its own /24, as the tracker sees it.
          address: viewerAddress(i, options.profile.region?.(i) ?? 0),
          access: access!,
          originPort: originOf(i).port,
          region: options.profile.region?.(i),
        })),
        interRegionDelayMs: options.profile.interRegionDelayMs,
      });
    }
    const kbpsByHeight = Object.fromEntries(
      options.media.ladder.map((r) => [r.height, r.videoKbps + r.audioKbps]),
    );
    const channel = LAB_CHANNELS[options.kind];
    const pages: Array<Page | undefined> = [];
    const joinedAt: number[] = [];
    const last: Array<PlaybackFigures | undefined> = [];
    const crashed = new Set<number>();
    const crashedTraces: unknown[][] = [];
    const join = async (i: number) => {
      const context = await browser.newContext();
      contexts.push(context);
      await context.addInitScript(
        playbackProbe(kbpsByHeight, options.kind === "vod"),
      );
      const entry = network?.viewers[i];
      if (turn && entry) {
        await context.addInitScript(turnDetour(turn.port, entry.turnPort));
      }
      const page = await context.newPage();
      joinedAt[i] = (performance.now() - started) / 1000;
      const base = entry
        ? `http://127.0.0.1:${entry.httpPort}`
        : originOf(i).url;
      await page.goto(
        i >= options.viewers
          ? `${base}${lightViewerPath(channel)}`
          // The debug log also tells when the first byte from a peer came.
          : `${base}/watch/${channel}?debug=p2p`,
      );
      pages[i] = page;
    };
    const poll = async () => {
      await Promise.all(pages.map(async (page, i) => {
        if (!page || crashed.has(i)) return;
        last[i] = await readPlayback(page).catch(() => last[i]);
      }));
    };
    const plan = churnPlan(
      options.viewers,
      options.staggerSeconds,
      options.churn,
    );
    const schedule: Array<{ at: number; run: () => Promise<void> }> = [
      ...plan.joins.map(({ viewer, at }) => ({ at, run: () => join(viewer) })),
      // Light viewers come between the first players, and stay.
      ...Array.from({ length: light }, (_, k) => ({
        at: options.staggerSeconds * (k + 0.5),
        run: () => join(options.viewers + k),
      })),
      ...plan.crashes.map((i) => ({
        at: plan.crashAt!,
        run: async () => {
          await poll();
          // Its log, as it stood just before the crash.
          if (options.trace) crashedTraces[i] = await readTrace(pages[i]!);
          crashed.add(i);
          await crash(pages[i]!);
        },
      })),
    ].sort((a, b) => a.at - b.at);
    const lastAt = Math.max(...schedule.map((s) => s.at));
    const deadline = lastAt + options.watchSeconds * 1.6 + 30;
    const clock = () => (performance.now() - started) / 1000;
    while (clock() < deadline) {
      while (schedule.length && schedule[0]!.at <= clock()) {
        await schedule.shift()!.run();
      }
      await poll();
      const watching = pages.flatMap((_, i) => crashed.has(i) ? [] : [i]);
      const done = !schedule.length &&
        watching.every((i) =>
          last[i]?.ended ||
          (last[i]?.playedSeconds ?? 0) >= options.watchSeconds
        );
      if (done) break;
      await sleep(1000);
    }
    await poll();
    const viewers = lines.map((access, i) => ({
      ...(last[i] ?? emptyFigures()),
      line: access?.kind ?? "loopback",
      joinedAt: joinedAt[i] ?? NaN,
      crashed: crashed.has(i),
      light: i >= options.viewers,
    }));
    const traces = options.trace
      ? await Promise.all(
        pages.map((page, i) =>
          crashed.has(i) || !page ? crashedTraces[i] ?? [] : readTrace(page)
        ),
      )
      : undefined;
    return {
      viewers,
      traces,
      origin: mergeCounts(origins.map((origin) => origin.counts)),
      links: await network?.counters(),
      seconds: clock(),
      cpuLoad: cpuLoad(),
    };
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
    await network?.close();
    for (const origin of origins) await origin.close();
    await redis?.stop();
    await turn?.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** What several instances sent, as one origin. */
function mergeCounts(all: OriginCounts[]): OriginCounts {
  const merged: OriginCounts = { bytes: 0, responses: 0, segments: new Map() };
  for (const counts of all) {
    merged.bytes += counts.bytes;
    merged.responses += counts.responses;
    for (const [key, segment] of counts.segments) {
      const known = merged.segments.get(key);
      merged.segments.set(key, {
        bytes: segment.bytes,
        sentBytes: (known?.sentBytes ?? 0) + segment.sentBytes,
      });
    }
  }
  return merged;
}

function emptyFigures(): PlaybackFigures {
  return {
    ttffMs: null,
    firstP2PMs: null,
    stalls: 0,
    stallSeconds: 0,
    playedSeconds: 0,
    meanKbps: 0,
    switches: 0,
    ended: false,
    httpBytes: 0,
    p2pBytes: 0,
    uploadedBytes: 0,
    aheadSamples: [],
  };
}
