/**
 * Soak: `deno task soak [--minutes 10]`. Serves the app in this process and
 * throws churn and abuse at it from a child process (so the heap measured
 * here is the server's alone) for the given time, wave after wave: peers
 * joining, announcing and leaving 100 swarms (both dialects), hostile
 * frames, report floods with real and forged tokens, huge chunked and
 * trickling bodies, page-view loops. Then it stops, lets silent peers time
 * out, collects garbage and compares the heap with the baseline taken after
 * a warm-up (the first 30 % of the run). Exits 1 if the heap did not come back
 * (within 2 MB or 5 %) or the tracker kept any peer or socket.
 * @module
 */
import manifest from "../fresh.gen.ts";
import { createApp } from "../app/mod.ts";
import { log } from "../utils/log.ts";
import { fakeSdp, id20, TestSocket } from "../tests/helpers/ws_client.ts";
import { pieces, rawRequest } from "../tests/helpers/raw_http.ts";

const gc = (globalThis as { gc?: () => void }).gc;
const PEER_TIMEOUT_S = 4;

function parseMinutes(args: string[]): number {
  const at = args.indexOf("--minutes");
  if (at === -1) return 10;
  const minutes = Number(args[at + 1]);
  if (!(minutes > 0 && minutes <= 600)) {
    throw new RangeError(`Invalid --minutes: ${args[at + 1]} (0-600)`);
  }
  return minutes;
}

/** The server's memory after a full collection. */
function memory(): { heapMB: number; rssMB: number } {
  gc?.();
  const { heapUsed, rss } = Deno.memoryUsage();
  return { heapMB: heapUsed / 1e6, rssMB: rss / 1e6 };
}

/** One wave of churn: `count` peers join, offer, maybe scrape, and leave in mixed ways. */
async function churnWave(url: string, wave: number, count: number) {
  const silent: TestSocket[] = [];
  await Promise.all(Array.from({ length: count }, async (_, i) => {
    const socket = await TestSocket.open(url).catch(() => undefined);
    if (!socket) return;
    const infoHash = id20(`soak-${i % 100}-`);
    const peerId = id20(`p${wave}-${i}-`);
    if (i % 4 === 0) {
      socket.send({
        type: "announce",
        peerId: `s${wave}-${i}`,
        infoHash: `room-${i % 10}`,
      });
    } else {
      socket.send({
        action: "announce",
        info_hash: infoHash,
        peer_id: peerId,
        numwant: 2,
        offers: [0, 1].map((o) => ({
          offer_id: id20(`o${wave}-${i}-${o}`),
          offer: { type: "offer", sdp: fakeSdp("offer") },
        })),
      });
    }
    await socket.next(undefined, 2000).catch(() => {});
    if (i % 7 === 0) silent.push(socket); // stays, stops announcing: must time out
    else await socket.close();
  }));
  return silent;
}

/** One wave of abuse against the HTTP routes and the socket. */
async function abuseWave(base: string, port: number) {
  const ws = base.replace("http", "ws") + "/tracker/ws";
  const hostile = await TestSocket.open(ws).catch(() => undefined);
  for (let i = 0; i < 50 && hostile?.open; i++) {
    hostile.send(
      [
        "{",
        "[]",
        '{"action":"announce","info_hash":1}',
        "x".repeat(i * 100),
      ][i % 4]!,
    );
  }
  await hostile?.close();
  const page = await (await fetch(`${base}/watch/demo`)).text();
  const token = /"sessionToken":"(v1\.[^"]+)"/.exec(page)?.[1];
  await Promise.all([
    ...Array.from({ length: 20 }, () =>
      fetch(`${base}/api/stats/report`, {
        method: "POST",
        body: JSON.stringify({
          token: token ?? "forged",
          channel: "demo",
          p2pStatus: "active",
          totals: {
            httpBytes: 1e12,
            p2pBytes: 1e12,
            uploadedBytes: 0,
            stalls: 0,
          },
          peers: 1,
          ttffMs: 600_000,
        }),
      }).then((r) => r.body?.cancel())),
    rawRequest(port, "POST", "/api/stats/report", {
      chunked: true,
      body: pieces(256, 64 * 1024),
    }),
    rawRequest(port, "POST", "/api/stats/report", {
      headers: ["Content-Length: 1000"],
      body: pieces(3, 1),
      delayMs: 500,
    }),
    ...Array.from(
      { length: 10 },
      (_, i) =>
        fetch(`${base}/live/miss-${crypto.randomUUID()}/master.m3u8?${i}`).then(
          (r) => r.body?.cancel(),
        ),
    ),
    fetch(`${base}/tracker/stats?swarms=1&history=1`).then((r) =>
      r.body?.cancel()
    ),
  ]);
}

/** The load generator: waves of churn and abuse against `base` for `seconds`. */
async function load(
  base: string,
  seconds: number,
  tag: string,
  minWaves: number,
): Promise<void> {
  const port = Number(new URL(base).port);
  const url = base.replace("http", "ws") + "/tracker/ws";
  const deadline = Date.now() + seconds * 1000;
  let silent: TestSocket[] = [];
  let waves = 0;
  while (waves < minWaves || Date.now() < deadline) {
    silent.push(...await churnWave(url, waves, 250));
    await abuseWave(base, port);
    if (silent.length > 500) {
      await Promise.all(silent.map((s) => s.close()));
      silent = [];
    }
    if (++waves % 20 === 0) {
      const stats = await (await fetch(`${base}/tracker/stats`)).json();
      console.log(
        `  ${tag} wave ${waves}: ${stats.peers} peers, ${stats.connections} sockets`,
      );
    }
  }
  await Promise.all(silent.map((s) => s.close()));
  console.log(`  ${tag}: ${waves} waves`);
}

/** Run {@linkcode load} in a child process, so its own garbage is not measured here. */
async function loadFromChild(
  base: string,
  seconds: number,
  tag: string,
  minWaves: number,
) {
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      "--load",
      base,
      "--seconds",
      String(seconds),
      "--tag",
      tag,
      "--waves",
      String(minWaves),
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`The load generator failed (exit ${code})`);
}

async function soak(minutes: number, minWaves: number): Promise<boolean> {
  log.setLevel("error");
  const app = await createApp(manifest, {
    buildDir: false,
    tracker: {
      peerTimeoutMs: PEER_TIMEOUT_S * 1000,
      announceIntervalS: 2,
      maxConnectionsPerIp: 10_000,
      messagesPerSecond: 1000,
      messageBurst: 1000,
    },
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    app.handler,
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const settle = () =>
    new Promise((resolve) => setTimeout(resolve, (PEER_TIMEOUT_S + 2) * 1000));
  try {
    // Warm-up (the first 30 % of the run): what is bounded by design (Deno's
    // URLPattern caches, LRUs, rate-limit keys, sessions, JIT code) fills up
    // before the baseline, so what grows after it is what never stops growing.
    await loadFromChild(base, minutes * 0.3 * 60, "warm-up", minWaves);
    await settle();
    const baseline = memory();
    console.log(
      `soak: ${minutes} min; baseline heap ${
        baseline.heapMB.toFixed(1)
      } MB, RSS ${baseline.rssMB.toFixed(1)} MB${
        gc ? "" : " (gc not exposed: figures are noisy)"
      }`,
    );
    await loadFromChild(base, minutes * 0.7 * 60, "soak", minWaves);
    await settle();
    const end = memory();
    const stats = await (await fetch(`${base}/tracker/stats`)).json();
    const grown = end.heapMB - baseline.heapMB;
    const back = grown < Math.max(2, baseline.heapMB * 0.05);
    console.log(
      `soak: heap baseline ${baseline.heapMB.toFixed(1)} MB, end ${
        end.heapMB.toFixed(1)
      } MB (${grown >= 0 ? "+" : ""}${grown.toFixed(2)} MB); ` +
        `RSS ${baseline.rssMB.toFixed(1)} -> ${
          end.rssMB.toFixed(1)
        } MB; tracker left with ${stats.peers} peers, ${stats.swarms} swarms, ${stats.connections} sockets: ${
          back ? "back at baseline" : "NOT back at baseline"
        }`,
    );
    return back && stats.peers === 0 && stats.connections === 0;
  } finally {
    await app.close();
    await server.shutdown();
  }
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--load");
  if (at !== -1) {
    const value = (name: string) => Deno.args[Deno.args.indexOf(name) + 1]!;
    await load(
      Deno.args[at + 1]!,
      Number(value("--seconds")),
      value("--tag"),
      Number(value("--waves")),
    );
    Deno.exit(0);
  }
  // --smoke: a few waves, to prove the task runs (tests); it judges nothing.
  const smoke = Deno.args.includes("--smoke");
  const ok = await soak(smoke ? 0.01 : parseMinutes(Deno.args), smoke ? 3 : 20);
  if (smoke) Deno.exit(0);
  Deno.exit(ok ? 0 : 1);
}
