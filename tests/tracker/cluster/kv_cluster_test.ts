/**
 * Two app instances on one Deno KV database (a local file: Deno Deploy runs
 * the same API on its own store) relay an offer and its answer between
 * them, and list each other's peers.
 */
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../../helpers/server.ts";
import { fakeSdp, id20, TestSocket } from "../../helpers/ws_client.ts";
import { DEFAULT_CLUSTER_CONFIG } from "../../../tracker/cluster/mod.ts";
import { binaryToHex } from "../../../utils/hex.ts";
import { eventually } from "../../helpers/eventually.ts";

const INFO_HASH = id20("kv-swarm");

Deno.test("instances on one Deno KV act as one tracker", async () => {
  const kvPath = await Deno.makeTempFile({ suffix: ".sqlite" });
  const config = {
    buildDir: false as const,
    tracker: { peerTimeoutMs: 8000, announceIntervalS: 4 },
    cluster: { ...DEFAULT_CLUSTER_CONFIG, backend: "kv" as const, kvPath },
  };
  const servers: TestServer[] = [];
  const sockets: TestSocket[] = [];
  try {
    for (let i = 0; i < 2; i++) servers.push(await startTestServer(config));
    const [one, two] = servers as [TestServer, TestServer];
    for (const server of servers) {
      sockets.push(
        await TestSocket.open(server.url.replace("http", "ws") + "/tracker/ws"),
      );
    }
    const [alice, bob] = sockets as [TestSocket, TestSocket];
    const aliceId = id20("-PM0203-alice");
    const bobId = id20("-PM0203-bob");
    const base = { action: "announce", info_hash: INFO_HASH, numwant: 2 };
    alice.send({ ...base, peer_id: aliceId, event: "started", offers: [] });
    await eventually(async () => {
      const { peers } = await (await fetch(
        `${two.url}/tracker/peers/${binaryToHex(INFO_HASH)}`,
      )).json();
      assert.equal(peers?.length, 1);
    }, 5000);
    bob.send({
      ...base,
      peer_id: bobId,
      event: "started",
      offers: [{
        offer: { type: "offer", sdp: fakeSdp("offer") },
        offer_id: id20("kv-offer"),
      }],
    });
    const offer = await alice.next((f) => f.offer !== undefined, 5000);
    assert.equal(offer.peer_id, bobId);
    alice.send({
      ...base,
      peer_id: aliceId,
      to_peer_id: bobId,
      offer_id: offer.offer_id,
      answer: { type: "answer", sdp: fakeSdp("answer") },
    });
    const answer = await bob.next((f) => f.answer !== undefined, 5000);
    assert.equal(answer.peer_id, aliceId);
    assert.equal(answer.offer_id, id20("kv-offer"));
    const { peers } = await (await fetch(
      `${one.url}/tracker/peers/${binaryToHex(INFO_HASH)}`,
    )).json();
    assert.equal(
      new Set(peers.map((p: { instance: string }) => p.instance)).size,
      2,
    );
  } finally {
    for (const socket of sockets) await socket.close();
    for (const server of servers) await server.close();
    await Deno.remove(kvPath).catch(() => {});
  }
});
