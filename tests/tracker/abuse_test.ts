import assert from "node:assert/strict";
import { startTestServer } from "../helpers/server.ts";
import { fakeSdp, id20, TestSocket } from "../helpers/ws_client.ts";
import { rawWebSocket, textFrame } from "../helpers/raw_ws.ts";

const HASH = "H8xgGJQ+9fDTmfjl7YpP";

Deno.test("the per-IP connection cap refuses extra sockets with 429", async () => {
  const server = await startTestServer({
    buildDir: false,
    tracker: { maxConnectionsPerIp: 2 },
  });
  const url = server.url.replace("http", "ws") + "/tracker/ws";
  try {
    const a = await TestSocket.open(url);
    const b = await TestSocket.open(url);
    await assert.rejects(() => TestSocket.open(url));
    const refused = await fetch(`${server.url}/tracker/ws`, {
      headers: {
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        "sec-websocket-version": "13",
      },
    });
    assert.equal(refused.status, 429);
    assert.match(
      (await refused.json()).error,
      /Too many connections from your address: at most 2/,
    );
    await a.close();
    const c = await TestSocket.open(url); // a freed slot is usable again
    const stats = await (await fetch(`${server.url}/tracker/stats`)).json();
    assert.ok(stats.refused.connectionsPerIp >= 2);
    await b.close();
    await c.close();
  } finally {
    await server.close();
  }
});

Deno.test("150 concurrent upgrades against a cap of 64 leave exactly 64 open (the slot is taken at admission)", async () => {
  const server = await startTestServer({ buildDir: false });
  const url = server.url.replace("http", "ws") + "/tracker/ws";
  const opened: TestSocket[] = [];
  try {
    const attempts = await Promise.allSettled(
      Array.from({ length: 150 }, () => TestSocket.open(url)),
    );
    for (const attempt of attempts) {
      if (attempt.status === "fulfilled") opened.push(attempt.value);
    }
    assert.equal(opened.length, 64, "before: 79 of 150 got in");
    const stats = await (await fetch(`${server.url}/tracker/stats`)).json();
    assert.equal(stats.connections, 64);
    assert.equal(stats.refused.connectionsPerIp, 86);
    await Promise.all(opened.splice(0).map((socket) => socket.close()));
    // Every slot came back: refused upgrades did not leak any.
    const again = await Promise.all(
      Array.from({ length: 64 }, () => TestSocket.open(url)),
    );
    opened.push(...again);
    await assert.rejects(() => TestSocket.open(url));
  } finally {
    await Promise.all(opened.map((socket) => socket.close()));
    await server.close();
  }
});

Deno.test("TRUST_PROXY counts hops from the right: a forged X-Forwarded-For entry buys nothing", async () => {
  const server = await startTestServer({
    buildDir: false,
    tracker: { maxConnectionsPerIp: 2 },
    trustProxy: { kind: "hops", hops: 1 },
  });
  const url = server.url.replace("http", "ws") + "/tracker/ws";
  // As behind nginx: the proxy (this test) appends the address it saw, 127.0.0.1.
  const viaProxy = (forged: string) =>
    TestSocket.open(url, { "x-forwarded-for": `${forged}, 127.0.0.1` });
  const opened: TestSocket[] = [];
  try {
    opened.push(await viaProxy("198.51.100.1"), await viaProxy("198.51.100.2"));
    const results = await Promise.allSettled(
      Array.from({ length: 70 }, (_, i) => viaProxy(`198.51.100.${i + 3}`)),
    );
    for (const result of results) {
      if (result.status === "fulfilled") opened.push(result.value);
    }
    assert.equal(opened.length, 2, "before: 70 more sockets got in");
    // Another client behind the same proxy is someone else.
    opened.push(
      await TestSocket.open(url, { "x-forwarded-for": "203.0.113.9" }),
    );
    // Report rate limits fall on the same address.
    let limited = 0;
    for (let i = 0; i < 40; i++) {
      const response = await fetch(`${server.url}/api/stats/report`, {
        method: "POST",
        body: "{}",
        headers: { "x-forwarded-for": `198.51.100.${i}, 127.0.0.1` },
      });
      if (response.status === 429) limited++;
      await response.body?.cancel();
    }
    assert.ok(limited >= 15, `${limited} of 40 reports rate-limited`);
  } finally {
    await Promise.all(opened.map((socket) => socket.close()));
    await server.close();
  }
});

Deno.test("one address cannot hold more than its share of open HTTP requests", async () => {
  const server = await startTestServer({
    buildDir: false,
    maxRequestsPerAddress: 4,
  });
  try {
    // Slow bodies hold requests open (each for the report's 10 s body deadline at most).
    const slow = Array.from(
      { length: 4 },
      () =>
        fetch(`${server.url}/api/stats/report`, {
          method: "POST",
          body: new ReadableStream({
            async pull(controller) {
              await new Promise((resolve) => setTimeout(resolve, 3000));
              controller.close();
            },
          }),
        }).then((r) => r.body?.cancel(), () => {}),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = await fetch(`${server.url}/health`);
    assert.equal(refused.status, 429);
    assert.match((await refused.json()).error, /Too many open requests/);
    const other = await fetch(`${server.url}/health`, {
      headers: { "x-forwarded-for": "203.0.113.1" },
    });
    assert.equal(
      other.status,
      429,
      "without TRUST_PROXY the header is ignored: it is the same address",
    );
    await other.body?.cancel();
    await Promise.all(slow);
    const after = await fetch(`${server.url}/health`);
    assert.equal(after.status, 200, "slots come back when requests finish");
    await after.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("a client that stops reading is dropped without slowing anyone else", async () => {
  const server = await startTestServer({
    buildDir: false,
    tracker: {
      maxBufferedBytes: 64 * 1024,
      messagesPerSecond: 100_000,
      messageBurst: 100_000,
      // One sender stands for many: the pairing hold would let only its
      // first offer through to the slow peer.
      pairingHoldMs: 0,
    },
  });
  const url = server.url.replace("http", "ws") + "/tracker/ws";
  try {
    // The slow peer joins the swarm, then never reads again.
    const slow = await rawWebSocket(server.port, "/tracker/ws");
    await slow.write(
      textFrame(
        JSON.stringify({
          action: "announce",
          info_hash: HASH,
          peer_id: id20("slow"),
        }),
      ),
    );
    const sender = await TestSocket.open(url);
    const bystander = await TestSocket.open(url);
    bystander.send({
      action: "announce",
      info_hash: id20("elsewhere"),
      peer_id: id20("bystander"),
    });
    await bystander.next();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Every announce relays one ~15 KB offer to the slow peer: ~20 MB in all.
    const sdp = fakeSdp("offer", 15_000);
    let replies = 0;
    for (let i = 0; i < 1400; i++) {
      sender.send({
        action: "announce",
        info_hash: HASH,
        peer_id: id20("sender"),
        numwant: 1,
        offers: [{ offer_id: id20(`o${i}-`), offer: { type: "offer", sdp } }],
      });
      if (i % 100 === 99) {
        // The sender is answered promptly all along.
        while (
          (await sender.next((f) => "interval" in f, 5000)) && ++replies < i + 1
        ) { /* drain replies */ }
        const { slowClosed } =
          await (await fetch(`${server.url}/tracker/stats`)).json();
        if (slowClosed > 0) break;
      }
    }
    const stats = await (await fetch(`${server.url}/tracker/stats`)).json();
    assert.equal(stats.slowClosed, 1, "the slow client was closed");
    bystander.send({ action: "scrape", info_hash: HASH });
    const scrape = await bystander.next();
    assert.equal(
      (scrape.files as Record<string, { incomplete: number }>)[HASH]!
        .incomplete,
      1,
      "only the sender is left",
    );
    slow.close();
    await sender.close();
    await bystander.close();
  } finally {
    await server.close();
  }
});

Deno.test("a dead socket (no pong) is closed and its peer removed long before the peer timeout", async () => {
  const server = await startTestServer({
    buildDir: false,
    tracker: { idleTimeoutS: 1 },
  });
  try {
    const dead = await rawWebSocket(server.port, "/tracker/ws");
    await dead.write(
      textFrame(
        JSON.stringify({
          action: "announce",
          info_hash: HASH,
          peer_id: id20("dead"),
        }),
      ),
    );
    const peers = async () =>
      (await (await fetch(`${server.url}/tracker/stats`)).json())
        .peers as number;
    const deadline = Date.now() + 2000;
    while (await peers() !== 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await peers(), 1);
    // It never reads, so it never answers the server's ping: gone within a few idle timeouts.
    const started = Date.now();
    while (await peers() !== 0 && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await peers(), 0, "the dead peer was removed");
    assert.ok(Date.now() - started < 10_000);
    dead.close();
  } finally {
    await server.close();
  }
});
