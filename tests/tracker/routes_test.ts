import assert from "node:assert/strict";
import { startTestServer } from "../helpers/server.ts";
import { id20, TestSocket } from "../helpers/ws_client.ts";
import { binaryToHex as toHex } from "../../utils/hex.ts";
import { VERSION } from "../../tracker/version.ts";

const INFO_HASH = "H8xgGJQ+9fDTmfjl7YpP";

Deno.test("the tracker's JSON routes report what scripts read", async (t) => {
  const server = await startTestServer({ buildDir: false });
  const ws = server.url.replace("http", "ws") + "/tracker/ws";
  const a = await TestSocket.open(ws);
  const b = await TestSocket.open(ws);
  try {
    a.send({
      action: "announce",
      info_hash: INFO_HASH,
      peer_id: id20("-PM0203-a"),
      left: 0,
    });
    b.send({
      action: "announce",
      info_hash: INFO_HASH,
      peer_id: id20("-PM0203-b"),
    });
    await a.next();
    await b.next();

    await t.step(
      "GET /tracker/stats: counts, messages by kind, version",
      async () => {
        const response = await fetch(`${server.url}/tracker/stats`);
        assert.equal(response.headers.get("content-type"), "application/json");
        assert.equal(response.headers.get("cache-control"), "no-store");
        const body = await response.json();
        assert.deepEqual(Object.keys(body), [
          "schemaVersion",
          "version",
          "uptimeSeconds",
          "swarms",
          "peers",
          "seeders",
          "leechers",
          "connections",
          "messages",
          "relayFailures",
          "offersHeld",
          "peerEvents",
          "refused",
          "rateLimited",
          "slowClosed",
          "locality",
          "p2p",
        ]);
        assert.equal(body.schemaVersion, 2);
        assert.equal(body.version, VERSION);
        assert.deepEqual(
          [
            body.swarms,
            body.peers,
            body.seeders,
            body.leechers,
            body.connections,
          ],
          [1, 2, 1, 1, 2],
        );
        assert.equal(body.messages.in.announce, 2);
        assert.equal(body.messages.out.announceReply, 2);
        assert.deepEqual(body.peerEvents, { joined: 2, left: 0, timedOut: 0 });
      },
    );

    await t.step(
      "?swarms=1 adds per-swarm rows with hex info_hashes",
      async () => {
        const body = await (await fetch(`${server.url}/tracker/stats?swarms=1`))
          .json();
        assert.equal(body.swarmDetails.length, 1);
        const row = body.swarmDetails[0];
        assert.equal(row.infoHash, toHex(INFO_HASH));
        assert.deepEqual([row.protocol, row.peers, row.seeders, row.leechers], [
          "webtorrent",
          2,
          1,
          1,
        ]);
        assert.match(row.createdAt, /^\d{4}-\d\d-\d\dT/);
      },
    );

    await t.step(
      "GET /tracker/peers/:infoHash by hex or URL-encoded, without addresses",
      async () => {
        const byHex =
          await (await fetch(`${server.url}/tracker/peers/${toHex(INFO_HASH)}`))
            .json();
        const byName = await (await fetch(
          `${server.url}/tracker/peers/${encodeURIComponent(INFO_HASH)}`,
        )).json();
        assert.deepEqual(byHex.peers, byName.peers);
        assert.deepEqual(byHex.peers.map((p: { peerId: string }) => p.peerId), [
          toHex(id20("-PM0203-a")),
          toHex(id20("-PM0203-b")),
        ]);
        assert.deepEqual(Object.keys(byHex.peers[0]).sort(), [
          "complete",
          "joinedAt",
          "lastSeen",
          "peerId",
        ]);
        assert.doesNotMatch(JSON.stringify(byHex), /127\.0\.0\.1/);
        const missing = await fetch(
          `${server.url}/tracker/peers/${"0".repeat(40)}`,
        );
        assert.equal(missing.status, 404);
        assert.match(
          (await missing.json()).error,
          /No swarm with info_hash 0{40}/,
        );
      },
    );

    await t.step(
      "GET /tracker/channels/:id?swarms= counts the peers of each swarm asked about, and nothing more",
      async () => {
        const other = toHex(id20("nobody here"));
        const response = await fetch(
          `${server.url}/tracker/channels/demo?swarms=${
            toHex(INFO_HASH)
          },${other}`,
        );
        assert.equal(response.status, 200);
        assert.deepEqual((await response.json()).swarms, {
          [toHex(INFO_HASH)]: 2,
          [other]: 0,
        });
        for (
          const bad of [
            "XYZ",
            toHex(INFO_HASH).toUpperCase(),
            Array.from({ length: 17 }, () => other).join(","),
          ]
        ) {
          const refused = await fetch(
            `${server.url}/tracker/channels/demo?swarms=${bad}`,
          );
          assert.equal(refused.status, 400);
          assert.match((await refused.json()).error, /Invalid swarms/);
        }
      },
    );

    await t.step("GET /health", async () => {
      const body = await (await fetch(`${server.url}/health`)).json();
      assert.equal(body.status, "ok");
      assert.equal(body.version, VERSION);
      assert.equal(body.peers, 2);
    });

    await t.step(
      "a plain GET on the socket route gets 426 with a hint",
      async () => {
        const response = await fetch(`${server.url}/tracker/ws`);
        assert.equal(response.status, 426);
        assert.match((await response.json()).error, /WebSocket tracker/);
      },
    );
  } finally {
    await a.close();
    await b.close();
    await server.close();
  }
});

Deno.test("ALLOWED_ORIGINS refuses other origins before the upgrade", async () => {
  const server = await startTestServer({
    buildDir: false,
    tracker: { allowedOrigins: ["https://redflix.example"] },
  });
  const ws = server.url.replace("http", "ws") + "/tracker/ws";
  try {
    const allowed = await TestSocket.open(ws, {
      origin: "https://redflix.example",
    });
    await allowed.close();
    await assert.rejects(() =>
      TestSocket.open(ws, { origin: "https://evil.example" })
    );
    await assert.rejects(() => TestSocket.open(ws));
    const refused = await fetch(`${server.url}/tracker/ws`, {
      headers: { upgrade: "websocket", origin: "https://evil.example" },
    });
    assert.equal(refused.status, 403);
    assert.match(
      (await refused.json()).error,
      /Origin https:\/\/evil.example is not allowed/,
    );
  } finally {
    await server.close();
  }
});
