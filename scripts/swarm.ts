/**
 * Swarm scenario runner: `deno task swarm [--viewers 4] [--stagger 4]
 * [--channel demo] [--seconds 70] [--join-wait-ms 2000] [--instances 1]`.
 *
 * Starts the app, opens N headless Chromium viewers of one channel, one every
 * `--stagger` seconds, inside a network namespace that has only loopback,
 * and prints per viewer the time to first frame, stalls and bytes via HTTP /
 * P2P / uploaded; for the swarm, the origin's media bytes as copies of the
 * stream and the offload against the limit 1 - 1/N. An HTTP-only viewer of
 * a server with P2P off gives the start-up baseline. Live channels work the
 * same (`--channel ao-vivo --seconds 30`); copies count how often the origin
 * sent each distinct segment, so keep a live run shorter than the 60 s loop.
 * `--instances 2` (up to 4) serves the viewers from that many app instances
 * sharing one `redis-server` (TRACKER_BACKEND=redis), viewers spread over
 * them in turn; the origin's bytes are those of every instance.
 * @module
 */
import type { Browser, Page } from "playwright-core";
import manifest from "../fresh.gen.ts";
import { createApp } from "../app/mod.ts";
import { p2pConfigFromEnv, type PlayerP2PConfig } from "../p2p/config.ts";
import { launchBrowser } from "../tests/helpers/browser.ts";
import { IN_LOOPBACK_NAMESPACE } from "../tests/helpers/netns.ts";
import { PLAYBACK_PROBE } from "../tests/helpers/viewer.ts";
import { log } from "../utils/log.ts";
import { DEFAULT_CLUSTER_CONFIG } from "../tracker/cluster/mod.ts";
import { startRedis } from "./redis_server.ts";

interface Options {
  viewers: number;
  stagger: number;
  channel: string;
  seconds: number;
  joinWaitMs?: number;
  instances: number;
}

function parseOptions(args: string[]): Options {
  const options: Options = {
    viewers: 4,
    stagger: 4,
    channel: "demo",
    seconds: 70,
    instances: 1,
  };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i]?.replace(/^--/, "");
    const value = args[i + 1];
    if (!value) throw new TypeError(`Missing value for --${key}`);
    if (key === "channel") options.channel = value;
    else if (key === "join-wait-ms") options.joinWaitMs = Number(value);
    else if (key === "instances") {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 4) {
        throw new RangeError(`Invalid --instances: ${value} (1-4)`);
      }
      options.instances = n;
    } else if (key === "viewers" || key === "stagger" || key === "seconds") {
      const n = Number(value);
      if (
        !Number.isFinite(n) || n < 0 || (key === "viewers" && (n < 1 || n > 8))
      ) {
        throw new RangeError(
          `Invalid --${key}: ${value}${key === "viewers" ? " (1-8)" : ""}`,
        );
      }
      options[key] = n;
    } else throw new TypeError(`Unknown option --${key}`);
  }
  return options;
}

/** Serve the app and count the media bytes the origin sends. */
async function serveCounting(p2p: Partial<PlayerP2PConfig>, redisUrl?: string) {
  const app = await createApp(manifest, {
    p2p,
    cluster: redisUrl
      ? { ...DEFAULT_CLUSTER_CONFIG, backend: "redis", redisUrl }
      : undefined,
  });
  const origin = {
    segmentBytes: 0,
    segments: 0,
    distinct: new Map<string, number>(),
  };
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, async (req, info) => {
    const response = await app.handler(req, info);
    const path = new URL(req.url).pathname;
    if (response.status === 200 && /\.(ts|m4s|aac|mp4)$/.test(path)) {
      const bytes = Number(response.headers.get("content-length") ?? 0);
      origin.segmentBytes += bytes;
      origin.segments++;
      origin.distinct.set(path, bytes);
    }
    return response;
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    origin,
    async close() {
      await app.close();
      await server.shutdown();
    },
  };
}

interface ViewerResult {
  joinedAt: number;
  ttffMs: number;
  stalls: number;
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
  playedTo: number;
  /** Seconds behind the live edge (live channels), else NaN. */
  edgeDistance: number;
}

async function openViewer(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext();
  await context.addInitScript(PLAYBACK_PROBE);
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

async function readViewer(page: Page, joinedAt: number): Promise<ViewerResult> {
  return await page.evaluate((joined) => {
    const probe = (globalThis as unknown as {
      __probe: { ttff: number | null; stalls: number };
    }).__probe;
    const panel = document.querySelector<HTMLElement>(".p2p-panel")?.dataset ??
      {};
    return {
      joinedAt: joined,
      ttffMs: probe.ttff ?? NaN,
      stalls: probe.stalls,
      httpBytes: Number(panel.httpBytes ?? 0),
      p2pBytes: Number(panel.p2pBytes ?? 0),
      uploadedBytes: Number(panel.uploadedBytes ?? 0),
      playedTo: document.querySelector("video")?.currentTime ?? 0,
      edgeDistance: Number(
        document.querySelector<HTMLElement>(".live-status")?.dataset
          .edgeDistance ?? NaN,
      ),
    };
  }, joinedAt);
}

async function waitForFirstFrame(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { __probe: { ttff: number | null } }).__probe
        .ttff !== null,
    undefined,
    {
      timeout: 30_000,
    },
  );
}

/** Bytes of one rendition's segments: one copy of the stream. */
async function streamBytes(
  baseUrl: string,
  channelUrl: string,
): Promise<{ bytes: number; name: string; live: boolean }> {
  const master = new URL(channelUrl, baseUrl);
  const text = await (await fetch(master)).text();
  const first = text.split("\n").find((line) =>
    line.trim() && !line.startsWith("#")
  );
  const playlistUrl = first && text.includes("#EXT-X-STREAM-INF")
    ? new URL(first.trim(), master)
    : master;
  const playlist = await (await fetch(playlistUrl)).text();
  let bytes = 0;
  for (const line of playlist.split("\n")) {
    if (!line.trim() || line.startsWith("#")) continue;
    const response = await fetch(new URL(line.trim(), playlistUrl), {
      method: "HEAD",
    });
    bytes += Number(response.headers.get("content-length") ?? 0);
  }
  return {
    bytes,
    name: playlistUrl.pathname,
    live: !playlist.includes("#EXT-X-ENDLIST"),
  };
}

const MB = (bytes: number) => (bytes / 1e6).toFixed(2);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function run(options: Options): Promise<void> {
  log.setLevel("warn");
  const browser = await launchBrowser();
  try {
    // Baseline: start-up of an HTTP-only player (P2P off on the server).
    const plain = await serveCounting({ enabled: false, iceServers: [] });
    const baseline: number[] = [];
    for (let i = 0; i < 3; i++) {
      const page = await openViewer(
        browser,
        `${plain.url}/watch/${options.channel}`,
      );
      await waitForFirstFrame(page);
      baseline.push((await readViewer(page, 0)).ttffMs);
      await page.context().close();
    }
    const { bytes: copyBytes, name: rendition, live } = await streamBytes(
      plain.url,
      (await (await fetch(`${plain.url}/watch/${options.channel}`)).text())
        .match(/"url":"([^"]+)"/)?.[1] ?? "",
    );
    await plain.close();

    // P2P settings from the environment (P2P_LIVE_CORE_OPTIONS…), without STUN.
    const p2p: Partial<PlayerP2PConfig> = {
      ...p2pConfigFromEnv((name) => Deno.env.get(name)),
      iceServers: [],
    };
    if (options.joinWaitMs !== undefined) p2p.joinWaitMs = options.joinWaitMs;
    const redis = options.instances > 1 ? await startRedis() : undefined;
    const servers = [];
    for (let i = 0; i < options.instances; i++) {
      servers.push(await serveCounting(p2p, redis?.url));
    }
    const started = performance.now();
    const pages: Array<{ page: Page; joinedAt: number }> = [];
    for (let i = 0; i < options.viewers; i++) {
      if (i > 0) {
        await new Promise((resolve) =>
          setTimeout(resolve, options.stagger * 1000)
        );
      }
      const joinedAt = (performance.now() - started) / 1000;
      pages.push({
        page: await openViewer(
          browser,
          `${servers[i % servers.length]!.url}/watch/${options.channel}`,
        ),
        joinedAt,
      });
    }
    // Let the last viewer play the whole VOD (or --seconds for live).
    const deadline = Date.now() + options.seconds * 1000;
    while (Date.now() < deadline) {
      const ended = await Promise.all(
        pages.map(({ page }) =>
          page.evaluate(() =>
            (globalThis as unknown as { __probe: { ended: boolean } }).__probe
              .ended
          )
        ),
      );
      if (ended.every(Boolean)) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const results = await Promise.all(
      pages.map(({ page, joinedAt }) => readViewer(page, joinedAt)),
    );
    const origin = {
      segmentBytes: 0,
      segments: 0,
      distinct: new Map<string, number>(),
    };
    for (const server of servers) {
      origin.segmentBytes += server.origin.segmentBytes;
      origin.segments += server.origin.segments;
      for (const [path, bytes] of server.origin.distinct) {
        origin.distinct.set(path, bytes);
      }
      await server.close();
    }
    await redis?.stop();

    console.log(
      `\nSwarm: ${options.viewers} viewers of "${options.channel}", one every ${options.stagger} s, loopback only` +
        (options.instances > 1
          ? `, ${options.instances} instances sharing one Redis`
          : "") +
        (options.joinWaitMs === undefined
          ? ""
          : `, join wait ${options.joinWaitMs} ms`) +
        "\n",
    );
    console.log(
      "viewer  joined  ttff_ms  stalls  played_s  edge_s  http_MB  p2p_MB  up_MB  p2p_%",
    );
    results.forEach((r, i) => {
      const total = r.httpBytes + r.p2pBytes;
      console.log(
        [
          String(i + 1).padEnd(6),
          `${r.joinedAt.toFixed(1)}s`.padStart(6),
          r.ttffMs.toFixed(0).padStart(7),
          String(r.stalls).padStart(6),
          r.playedTo.toFixed(1).padStart(8),
          (Number.isNaN(r.edgeDistance) ? "-" : r.edgeDistance.toFixed(1))
            .padStart(6),
          MB(r.httpBytes).padStart(7),
          MB(r.p2pBytes).padStart(6),
          MB(r.uploadedBytes).padStart(5),
          (total ? (100 * r.p2pBytes / total).toFixed(0) : "0").padStart(5),
        ].join("  "),
      );
    });
    const delivered = results.reduce(
      (sum, r) => sum + r.httpBytes + r.p2pBytes,
      0,
    );
    const offload = delivered ? 1 - origin.segmentBytes / delivered : 0;
    const limit = 1 - 1 / options.viewers;
    const p2pTtff = median(results.map((r) => r.ttffMs));
    // A VOD has a fixed size; a live playlist only shows its window, so copies are per distinct segment.
    const copies = live
      ? ` (live: the stream's size is not fixed; see per-segment copies)`
      : ` = ${
        (origin.segmentBytes / copyBytes).toFixed(2)
      } copies of the stream (${rendition}: ${MB(copyBytes)} MB)`;
    console.log(
      `\norigin served ${MB(origin.segmentBytes)} MB of segments${copies}`,
    );
    const distinctBytes = [...origin.distinct.values()].reduce(
      (sum, bytes) => sum + bytes,
      0,
    );
    console.log(
      `each distinct segment was sent ${
        (origin.segmentBytes / (distinctBytes || 1)).toFixed(2)
      } times` +
        ` on average (${origin.distinct.size} segments, ${
          MB(distinctBytes)
        } MB)`,
    );
    console.log(
      `offload ${(offload * 100).toFixed(1)}% of ${
        MB(delivered)
      } MB delivered (limit 1-1/N = ${(limit * 100).toFixed(1)}%)`,
    );
    console.log(
      `time to first frame: HTTP-only median ${
        median(baseline).toFixed(0)
      } ms (${baseline.map((v) => v.toFixed(0)).join(", ")}),` +
        ` P2P viewers median ${p2pTtff.toFixed(0)} ms, worst ${
          Math.max(...results.map((r) => r.ttffMs)).toFixed(0)
        } ms`,
    );
    console.log(`stalls: ${results.reduce((sum, r) => sum + r.stalls, 0)}`);
  } finally {
    await browser.close();
  }
}

if (import.meta.main) {
  const options = parseOptions(Deno.args);
  if (IN_LOOPBACK_NAMESPACE) {
    await run(options);
  } else {
    // Re-run inside a network namespace with only loopback: ICE can use nothing else.
    const { code } = await new Deno.Command("unshare", {
      args: [
        "-rn",
        "sh",
        "-c",
        'ip link set lo up && exec "$@"',
        "swarm",
        Deno.execPath(),
        "run",
        "-A",
        new URL(import.meta.url).pathname,
        ...Deno.args,
      ],
      env: { REDFLIX_LOOPBACK_NAMESPACE: "1" },
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    Deno.exit(code);
  }
}
