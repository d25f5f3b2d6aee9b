import assert from "node:assert/strict";
import dgram from "node:dgram";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { startLabNetwork, viewerAddress } from "../../scripts/lab/network.ts";
import { accessOf } from "../../scripts/lab/profiles.ts";

/** An origin that answers `GET /bytes?n=N` with N bytes, swallows POSTs, and remembers who asked. */
function startOrigin() {
  const seen: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req, info) => {
      seen.push(info.remoteAddr.hostname);
      if (req.method === "POST") {
        return new Response(String((await req.arrayBuffer()).byteLength));
      }
      const n = Number(new URL(req.url).searchParams.get("n"));
      return new Response(new Uint8Array(n));
    },
  );
  return { port: server.addr.port, seen, server };
}

/** A UDP echo server standing in for coturn: what comes in goes back to its sender. */
function startEcho(): Promise<{ port: number; close: () => void }> {
  const socket = dgram.createSocket("udp4");
  socket.on(
    "message",
    (message, from) => socket.send(message, from.port, from.address),
  );
  return new Promise((resolve) =>
    socket.bind(
      0,
      "127.0.0.1",
      () =>
        resolve({ port: socket.address().port, close: () => socket.close() }),
    )
  );
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test("the lab network shapes each viewer's HTTP and UDP as its profile says", async (t) => {
    const origin = startOrigin();
    const echo = await startEcho();
    // 12 down / 2 up Mbit/s, RTT 60 ms; no jitter nor loss, so times are predictable.
    const line = accessOf({ kind: "4g", downMbps: 12, upMbps: 2, rttMs: 60 });
    const network = await startLabNetwork({
      turnPort: echo.port,
      viewers: [0, 1].map((i) => ({
        address: viewerAddress(i),
        access: line,
        originPort: origin.port,
      })),
    });
    try {
      const base = (i: number) =>
        `http://127.0.0.1:${network.viewers[i]!.httpPort}`;

      await t.step(
        "a download takes the downlink's time, plus handshake and request round trips",
        async () => {
          const [bytes, ms] = await timed(async () =>
            (await (await fetch(`${base(0)}/bytes?n=1500000`)).arrayBuffer())
              .byteLength
          );
          assert.equal(bytes, 1_500_000);
          // 1.5 MB at 12 Mbit/s is 1000 ms (+3 % headers), plus 2 RTT.
          assert.ok(ms > 1000 && ms < 1600, `took ${ms.toFixed(0)} ms`);
        },
      );

      await t.step("the origin sees each viewer's own address", () => {
        assert.deepEqual([...new Set(origin.seen)], [viewerAddress(0)]);
      });

      await t.step("an upload takes the uplink's time", async () => {
        const [body, ms] = await timed(async () =>
          await (await fetch(`${base(1)}/up`, {
            method: "POST",
            body: new Uint8Array(250_000),
          })).text()
        );
        assert.equal(body, "250000");
        // 250 kB at 2 Mbit/s is 1000 ms (+3 %), plus 2 RTT.
        assert.ok(ms > 1000 && ms < 1600, `took ${ms.toFixed(0)} ms`);
        assert.ok(origin.seen.includes(viewerAddress(1)));
      });

      await t.step("two viewers each get their own downlink", async () => {
        const [, ms] = await timed(() =>
          Promise.all(
            [0, 1].map(async (i) =>
              await (await fetch(`${base(i)}/bytes?n=1500000`)).arrayBuffer()
            ),
          )
        );
        assert.ok(ms < 1600, `both took ${ms.toFixed(0)} ms, as one alone`);
      });

      await t.step(
        "UDP to the TURN entry crosses both links: one round trip",
        async () => {
          const socket = dgram.createSocket("udp4");
          await new Promise<void>((resolve) =>
            socket.bind(0, "127.0.0.1", resolve)
          );
          const rtts: number[] = [];
          try {
            for (let i = 0; i < 10; i++) {
              const sent = performance.now();
              const back = new Promise<void>((resolve) =>
                socket.once("message", () => resolve())
              );
              socket.send(
                new Uint8Array(200),
                network.viewers[0]!.turnPort,
                "127.0.0.1",
              );
              await back;
              rtts.push(performance.now() - sent);
            }
          } finally {
            socket.close();
          }
          const sorted = rtts.sort((a, b) => a - b);
          assert.ok(sorted[0]! >= 59, `fastest ${sorted[0]!.toFixed(1)} ms`);
          assert.ok(sorted[9]! < 90, `slowest ${sorted[9]!.toFixed(1)} ms`);
        },
      );

      await t.step("the counters say what crossed each link", async () => {
        const [first, second] = await network.counters();
        assert.ok(first!.down.tcpBytes > 3_000_000, JSON.stringify(first));
        assert.ok(first!.up.udpBytes >= 2000 && first!.down.udpBytes >= 2000);
        assert.ok(second!.up.tcpBytes > 250_000);
        assert.equal(second!.up.udpBytes, 0);
      });
    } finally {
      await network.close();
      echo.close();
      await origin.server.shutdown();
    }
  });
  Deno.test("the lab network: a download fills the downlink's buffer, never past it, so UDP beside it queues instead of being dropped", async () => {
    const origin = startOrigin();
    const echo = await startEcho();
    // The 4G line at a quarter rate (3 Mbit/s): one 64 KiB read of a
    // download is 175 ms of it, most of the 200 ms buffer.
    const line = accessOf({ kind: "4g", downMbps: 3, upMbps: 0.5, rttMs: 60 });
    const network = await startLabNetwork({
      turnPort: echo.port,
      viewers: [{
        address: viewerAddress(0),
        access: line,
        originPort: origin.port,
      }],
    });
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    try {
      const viewer = network.viewers[0]!;
      const download = fetch(
        `http://127.0.0.1:${viewer.httpPort}/bytes?n=1500000`,
      ).then((response) => response.arrayBuffer());
      // Once the download fills the line, a small datagram every 50 ms.
      await new Promise((resolve) => setTimeout(resolve, 500));
      let back = 0;
      socket.on("message", () => back++);
      const sent = 40;
      for (let i = 0; i < sent; i++) {
        socket.send(new Uint8Array(100), viewer.turnPort, "127.0.0.1");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal((await download).byteLength, 1_500_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const [counters] = await network.counters();
      // The buffer is full only for a moment at a time: a datagram finds it
      // full now and then (as at a real router), not most of the time.
      assert.ok(
        back >= sent * 0.8,
        `${back} of ${sent} came back; ${JSON.stringify(counters!.down)}`,
      );
    } finally {
      socket.close();
      await network.close();
      echo.close();
      await origin.server.shutdown();
    }
  });
} else {
  Deno.test("the lab network, on loopback only", async () => {
    await runInLoopbackNamespace(new URL(import.meta.url), 60_000);
  });
}
