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

Deno.test("a client that stops reading is dropped without slowing anyone else", async () => {
  const server = await startTestServer({
    buildDir: false,
    tracker: {
      maxBufferedBytes: 64 * 1024,
      messagesPerSecond: 100_000,
      messageBurst: 100_000,
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
