/**
 * `deno task bench`: our tracker and webtorrent's bittorrent-tracker (the
 * reference, under Node) on the same machine, same load, alternating
 * A/B/A/B, loopback only. Each tracker runs in its own process, so its CPU
 * time and memory are read from /proc for that process alone, whatever the
 * load generator (this process) costs. `--smoke` runs tiny sizes (CI).
 * @module
 */
import {
  connectIdlePeers,
  measureRoundTrips,
  quantile,
  runSignalingLoad,
} from "./load.ts";
import {
  ensureWebTorrentClient,
  WEBTORRENT_CLIENT_DIR,
} from "../scripts/install_fixtures.ts";
import { startRedis, type TestRedis } from "../scripts/redis_server.ts";
import {
  cpuSeconds,
  freePort,
  rssBytes,
  waitUntilListening,
} from "./_process.ts";
import { type LoadFigures, mean, printClusterTable, row } from "./_tables.ts";

const smoke = Deno.args.includes("--smoke");
const SIZES = smoke
  ? {
    peers: 20,
    swarms: 4,
    durationMs: 1500,
    churn: 2,
    rounds: 1,
    idle: [50, 100],
    probes: 20,
  }
  : {
    peers: 600,
    swarms: 60,
    durationMs: 8000,
    churn: 20,
    rounds: 2,
    idle: [1000, 10_000],
    probes: 300,
  };

type Implementation = "ours" | "reference";
const NAMES: Record<Implementation, string> = {
  ours: "RedFlix (Deno)",
  reference: "bittorrent-tracker (Node)",
};

interface Tracker {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

async function startTracker(
  implementation: Implementation,
  env: Record<string, string> = {},
): Promise<Tracker> {
  const port = freePort();
  const child = implementation === "ours"
    ? new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts"],
      cwd: new URL("../", import.meta.url).pathname,
      env: {
        PORT: String(port),
        HOSTNAME: "127.0.0.1",
        LOG_LEVEL: "warn",
        // The benchmark measures raw signalling; abuse limits are policy, lifted here.
        TRACKER_MESSAGES_PER_SECOND: "1000000",
        TRACKER_MESSAGE_BURST: "1000000",
        TRACKER_MAX_CONNECTIONS_PER_IP: "1000000",
        HTTP_MAX_REQUESTS_PER_IP: "1000000", // the upgrades come 500 at a time
        // A benchmark pair exchanges offers back to back; the hold between
        // two peers already connecting would hold all but the first.
        TRACKER_PAIRING_HOLD: "0",
        ...env,
      },
      stdout: "null",
      stderr: "inherit",
    }).spawn()
    : new Deno.Command("node", {
      args: ["reference_server.mjs", String(port)],
      cwd: WEBTORRENT_CLIENT_DIR.pathname,
      stdout: "null",
      stderr: "inherit",
    }).spawn();
  try {
    await waitUntilListening(port);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    pid: child.pid,
    url: implementation === "ours"
      ? `ws://127.0.0.1:${port}/tracker/ws`
      : `ws://127.0.0.1:${port}`,
    async stop() {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
    },
  };
}

/** The signaling load against one tracker, or against every instance of a cluster. */
async function measureLoad(
  trackers: Tracker[],
  helperPids: number[] = [],
): Promise<LoadFigures> {
  const sumCpu = async (pids: number[]) =>
    (await Promise.all(pids.map(cpuSeconds))).reduce((a, b) => a + b, 0);
  let cpu = 0;
  let helperCpu = 0;
  const load = await runSignalingLoad({
    url: trackers.map((tracker) => tracker.url),
    peers: SIZES.peers,
    swarms: SIZES.swarms,
    durationMs: SIZES.durationMs,
    churnPerSecond: SIZES.churn,
    // The trackers' CPU over exactly the measured window (churn included).
    onWindow: async (edge) => {
      const [now, helpers] = await Promise.all([
        sumCpu(trackers.map((tracker) => tracker.pid)),
        sumCpu(helperPids),
      ]);
      cpu = edge === "start" ? -now : cpu + now;
      helperCpu = edge === "start" ? -helpers : helperCpu + helpers;
    },
  });
  const probe = await measureRoundTrips(
    trackers[0]!.url,
    trackers.at(-1)!.url,
    SIZES.probes,
  );
  const per1000 = (seconds: number) =>
    load.exchanges ? (seconds * 1000 * 1000) / load.exchanges : NaN;
  return {
    exchangesPerSecond: load.exchanges / load.seconds,
    cpuMsPer1000: per1000(cpu),
    helperCpuMsPer1000: per1000(helperCpu),
    p50: quantile(load.roundTrips, 0.5),
    p99: quantile(load.roundTrips, 0.99),
    timeouts: load.timeouts,
    errors: load.socketErrors,
    probe,
  };
}

/** One tracker alone, on the load. */
async function measureSingle(
  implementation: Implementation,
): Promise<LoadFigures> {
  const tracker = await startTracker(implementation);
  try {
    return await measureLoad([tracker]);
  } finally {
    await tracker.stop();
  }
}

/** Two of our instances sharing one Redis, peers spread over both. */
async function measureCluster(redis: TestRedis): Promise<LoadFigures> {
  const env = {
    TRACKER_BACKEND: "redis",
    REDIS_URL: redis.url,
    CLUSTER_PREFIX: `bench-${crypto.randomUUID().slice(0, 8)}`,
  };
  const trackers = [
    await startTracker("ours", env),
    await startTracker("ours", env),
  ];
  try {
    await new Promise((resolve) => setTimeout(resolve, 500)); // both joined
    return await measureLoad(trackers, redis.pid ? [redis.pid] : []);
  } finally {
    for (const tracker of trackers) await tracker.stop();
  }
}

interface MemoryFigures {
  perPeer: number[];
  connected: number;
  failed: number;
}

async function measureMemory(
  implementation: Implementation,
): Promise<MemoryFigures> {
  const tracker = await startTracker(implementation);
  const sockets: WebSocket[] = [];
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const baseline = await rssBytes(tracker.pid);
    const perPeer: number[] = [];
    let failed = 0;
    for (const target of SIZES.idle) {
      const added = await connectIdlePeers(
        tracker.url,
        target - sockets.length,
        Math.max(1, target / 10),
      );
      sockets.push(...added.sockets);
      failed += added.failed;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      perPeer.push(((await rssBytes(tracker.pid)) - baseline) / sockets.length);
    }
    return { perPeer, connected: sockets.length, failed };
  } finally {
    for (const socket of sockets) socket.close();
    await tracker.stop();
  }
}

if (import.meta.main) {
  await ensureWebTorrentClient();
  const load: Record<Implementation, LoadFigures[]> = {
    ours: [],
    reference: [],
  };
  let redis: TestRedis | undefined;
  try {
    redis = await startRedis();
  } catch (error) {
    console.error(`cluster row skipped: ${(error as Error).message}`);
  }
  const cluster: LoadFigures[] = [];
  for (let round = 0; round < SIZES.rounds; round++) {
    if (redis) {
      const figures = await measureCluster(redis);
      cluster.push(figures);
      console.error(
        `round ${round + 1} RedFlix, 2 instances + Redis: ${
          figures.exchangesPerSecond.toFixed(0)
        } exchanges/s, ${figures.cpuMsPer1000.toFixed(1)} CPU ms/1000 ` +
          `(+ Redis ${figures.helperCpuMsPer1000.toFixed(1)}), p50 ${
            figures.p50.toFixed(1)
          } ms, p99 ${figures.p99.toFixed(1)} ms`,
      );
    }
    for (const implementation of ["ours", "reference"] as const) {
      const figures = await measureSingle(implementation);
      load[implementation].push(figures);
      console.error(
        `round ${round + 1} ${NAMES[implementation]}: ${
          figures.exchangesPerSecond.toFixed(0)
        } exchanges/s, ` +
          `${figures.cpuMsPer1000.toFixed(1)} CPU ms/1000, p50 ${
            figures.p50.toFixed(1)
          } ms, p99 ${figures.p99.toFixed(1)} ms`,
      );
    }
  }
  const memory = {
    ours: await measureMemory("ours"),
    reference: await measureMemory("reference"),
  };
  const avg = (
    implementation: Implementation,
    pick: (f: LoadFigures) => number,
  ) => mean(load[implementation].map(pick));
  console.log(
    `\nTracker benchmark${
      smoke ? " (smoke sizes)" : ""
    }: ${SIZES.peers} peers in ${SIZES.swarms} swarms, 5 offers of ~700 B per announce, ` +
      `answers at once, ${SIZES.churn} peers/s churn, ${
        SIZES.durationMs / 1000
      } s per run, ${SIZES.rounds} A/B rounds, loopback\n`,
  );
  console.log(
    `| metric | ${NAMES.ours} | ${NAMES.reference} | ratio (ours/reference) |`,
  );
  console.log("| --- | --- | --- | --- |");
  console.log(
    row(
      "offer/answer exchanges per second",
      avg("ours", (f) => f.exchangesPerSecond),
      avg("reference", (f) => f.exchangesPerSecond),
      "/s",
    ),
  );
  console.log(
    row(
      "tracker CPU per 1000 exchanges",
      avg("ours", (f) => f.cpuMsPer1000),
      avg("reference", (f) => f.cpuMsPer1000),
      "ms",
      1,
    ),
  );
  console.log(
    row(
      "offer→answer round trip p50",
      avg("ours", (f) => f.p50),
      avg("reference", (f) => f.p50),
      "ms",
      1,
    ),
  );
  console.log(
    row(
      "offer→answer round trip p99",
      avg("ours", (f) => f.p99),
      avg("reference", (f) => f.p99),
      "ms",
      1,
    ),
  );
  SIZES.idle.forEach((count, i) => {
    console.log(
      row(
        `RSS per idle peer, ${count} connected`,
        memory.ours.perPeer[i]!,
        memory.reference.perPeer[i]!,
        "B",
      ),
    );
  });
  console.log(
    `| idle peers connected (of ${
      SIZES.idle.at(-1)
    }) | ${memory.ours.connected} (${memory.ours.failed} failed) | ` +
      `${memory.reference.connected} (${memory.reference.failed} failed) | - |`,
  );
  const problems = [...load.ours, ...load.reference, ...cluster].reduce(
    (n, f) => n + f.errors,
    0,
  );
  await redis?.stop();
  if (cluster.length > 0) printClusterTable(cluster, load.ours);
  console.log(
    `\nsocket errors during load: ${problems}; answer timeouts: ours ${
      avg("ours", (f) => f.timeouts)
    }, reference ${avg("reference", (f) => f.timeouts)}`,
  );
}
