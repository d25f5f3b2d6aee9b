import assert from "node:assert/strict";
import { GC_EXPOSED, runWithExposedGc } from "../helpers/netns.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { fakeSdp, id20, TestSocket } from "../helpers/ws_client.ts";

const SWARMS = 100;

/** How a churned peer leaves. */
type Exit = "stopped" | "close" | "silent";

/** One peer's life: connect, announce with offers, maybe scrape, leave. */
async function live(
  url: string,
  index: number,
  exit: Exit,
  silent: TestSocket[],
): Promise<void> {
  const socket = await TestSocket.open(url);
  const infoHash = id20(`churn-${index % SWARMS}-`);
  const peerId = id20(`peer-${index}-`);
  socket.send({
    action: "announce",
    info_hash: infoHash,
    peer_id: peerId,
    numwant: 2,
    event: "started",
    offers: [0, 1].map((i) => ({
      offer_id: id20(`o${index}-${i}-`),
      offer: { type: "offer", sdp: fakeSdp("offer") },
    })),
  });
  await socket.next((f) => "interval" in f);
  if (index % 3 === 0) {
    socket.send({ action: "scrape", info_hash: infoHash });
    await socket.next((f) => f.action === "scrape");
  }
  if (exit === "stopped") {
    socket.send({
      action: "announce",
      info_hash: infoHash,
      peer_id: peerId,
      event: "stopped",
    });
    await socket.next((f) => "interval" in f);
  }
  if (exit === "silent") silent.push(socket); // stays connected, stops announcing: must time out
  else await socket.close();
}

async function churn(
  server: TestServer,
  peers: number,
  offset: number,
): Promise<TestSocket[]> {
  const url = server.url.replace("http", "ws") + "/tracker/ws";
  const silent: TestSocket[] = [];
  const exits: Exit[] = ["stopped", "close", "close", "stopped", "silent"];
  for (let start = 0; start < peers; start += 250) {
    const wave = Array.from(
      { length: Math.min(250, peers - start) },
      (_, i) => offset + start + i,
    );
    await Promise.all(
      wave.map((index) =>
        live(url, index, exits[index % exits.length]!, silent)
      ),
    );
  }
  return silent;
}

async function stats(server: TestServer) {
  return await (await fetch(`${server.url}/tracker/stats`)).json();
}

async function waitForEmpty(server: TestServer, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { peers, swarms } = await stats(server);
    if (peers === 0 && swarms === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Registry not empty: ${JSON.stringify(await stats(server))}`);
}

function heapUsed(): number {
  const gc = (globalThis as unknown as { gc: () => void }).gc;
  gc();
  gc();
  return Deno.memoryUsage().heapUsed;
}

if (GC_EXPOSED) {
  Deno.test("churn: thousands of peers join, announce and leave across many swarms; nothing is left behind", async () => {
    const server = await startTestServer({
      buildDir: false,
      tracker: {
        peerTimeoutMs: 2000,
        announceIntervalS: 1,
        messagesPerSecond: 1000,
        messageBurst: 1000,
        maxConnectionsPerIp: 10_000,
      },
    });
    try {
      // Warm-up round (JIT, caches), then the baseline.
      for (const socket of await churn(server, 250, 0)) await socket.close();
      await waitForEmpty(server, 10_000);
      const baseline = heapUsed();

      const started = performance.now();
      const total = 3000;
      const silent = await churn(server, total, 1000);
      const during = await stats(server);
      // Only silent peers are left: still in, or already timed out.
      assert.equal(during.peers + during.peerEvents.timedOut, silent.length);
      await waitForEmpty(server, 10_000); // the silent ones time out
      for (const socket of silent) await socket.close();
      const silentCount = silent.length;
      silent.length = 0; // the test's own clients must not count as server memory
      const after = await stats(server);
      const seconds = (performance.now() - started) / 1000;
      const end = heapUsed();
      console.log(
        `churn: ${total} peers in ${SWARMS} swarms over ${
          seconds.toFixed(1)
        } s ` +
          `(${after.peerEvents.left} left, ${after.peerEvents.timedOut} timed out); ` +
          `memory: heap ${(baseline / 1e6).toFixed(1)} MB before, ${
            (end / 1e6).toFixed(1)
          } MB after ` +
          `(${((end - baseline) / 1e6).toFixed(2)} MB)`,
      );
      assert.deepEqual([after.peers, after.swarms, after.connections], [
        0,
        0,
        0,
      ], "the registry is empty");
      assert.equal(
        after.peerEvents.timedOut,
        silentCount,
        "silent peers were dropped by the timeout",
      );
      assert.equal(after.peerEvents.joined, total + 250);
      assert.ok(
        end - baseline < 4e6,
        `heap grew by ${((end - baseline) / 1e6).toFixed(2)} MB`,
      );
    } finally {
      await server.close();
    }
  });
} else {
  Deno.test("churn/soak on loopback, with memory measured (re-run with gc exposed)", async () => {
    await runWithExposedGc(new URL(import.meta.url), 120_000);
  });
}
