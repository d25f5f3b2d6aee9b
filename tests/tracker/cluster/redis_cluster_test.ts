/**
 * Two (then three) real tracker processes on one real `redis-server`:
 * peers on different instances meet, stats count the whole cluster, a
 * killed instance's peers vanish, and a Redis outage degrades to local
 * swarms and heals by itself.
 */
import assert from "node:assert/strict";
import { startRedis } from "../../../scripts/redis_server.ts";
import {
  type ServerProcess,
  startServerProcess,
} from "../../helpers/process.ts";
import {
  fakeSdp,
  type Frame,
  id20,
  TestSocket,
} from "../../helpers/ws_client.ts";
import { binaryToHex } from "../../../utils/hex.ts";
import { eventually } from "../../helpers/eventually.ts";

const INFO_HASH = id20("cluster-swarm");
const PEER_TIMEOUT_S = 4;

function announce(peerId: string, offerCount: number, prefix = "o"): Frame {
  return {
    action: "announce",
    info_hash: INFO_HASH,
    peer_id: peerId,
    numwant: offerCount,
    event: "started",
    uploaded: 0,
    downloaded: 0,
    offers: Array.from({ length: offerCount }, (_, i) => ({
      offer: { type: "offer", sdp: fakeSdp("offer") },
      offer_id: id20(`${prefix}${i}-`),
    })),
  };
}

async function json(server: ServerProcess, path: string) {
  const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
  return await response.json();
}

/** Answer the next offer a socket gets, and return who offered. */
async function answerNextOffer(socket: TestSocket, myId: string) {
  const offer = await socket.next((f) => f.offer !== undefined, 5000);
  socket.send({
    action: "announce",
    info_hash: INFO_HASH,
    peer_id: myId,
    to_peer_id: offer.peer_id,
    offer_id: offer.offer_id,
    answer: { type: "answer", sdp: fakeSdp("answer") },
  });
  return offer;
}

Deno.test("tracker instances sharing one Redis act as one tracker", async (t) => {
  const redis = await startRedis();
  const env = {
    TRACKER_BACKEND: "redis",
    REDIS_URL: redis.url,
    CLUSTER_PREFIX: `test-${crypto.randomUUID().slice(0, 8)}`,
    TRACKER_PEER_TIMEOUT: String(PEER_TIMEOUT_S),
    TRACKER_ANNOUNCE_INTERVAL: "2",
  };
  const servers: ServerProcess[] = [];
  const sockets: TestSocket[] = [];
  const open = async (server: ServerProcess) => {
    const socket = await TestSocket.open(
      `ws://127.0.0.1:${server.port}/tracker/ws?channel=demo`,
    );
    sockets.push(socket);
    return socket;
  };
  // Real clients announce every interval; these do too, or they would time out.
  const timers: ReturnType<typeof setInterval>[] = [];
  const keepAnnouncing = (socket: TestSocket, peerId: string) =>
    timers.push(setInterval(() => {
      if (socket.open) {
        socket.send({ ...announce(peerId, 0), event: undefined });
      }
    }, 1000));
  const peersOn = async (server: ServerProcess) =>
    (await json(server, `/tracker/peers/${binaryToHex(INFO_HASH)}`)).peers as {
      peerId: string;
      instance: string;
    }[];
  try {
    const one = await startServerProcess(0, env);
    servers.push(one);
    const two = await startServerProcess(0, env);
    servers.push(two);
    const alice = await open(one);
    const bob = await open(two);
    const aliceId = id20("-PM0203-alice");
    const bobId = id20("-PM0203-bob");

    await t.step(
      "an offer and its answer cross from one instance to another",
      async () => {
        alice.send(announce(aliceId, 0));
        keepAnnouncing(alice, aliceId);
        await alice.next((f) => f.interval !== undefined);
        await eventually(
          async () => assert.equal((await peersOn(two)).length, 1),
          3000,
        );
        bob.send(announce(bobId, 3, "b"));
        keepAnnouncing(bob, bobId);
        const reply = await bob.next((f) => f.interval !== undefined);
        assert.equal(
          reply.incomplete,
          2,
          "the reply counts peers on every instance",
        );
        const offer = await answerNextOffer(alice, aliceId);
        assert.equal(offer.peer_id, bobId);
        const answer = await bob.next((f) => f.answer !== undefined, 5000);
        assert.equal(answer.peer_id, aliceId);
        assert.equal(answer.offer_id, offer.offer_id);
        assert.deepEqual(await alice.drain(200), [], "one peer gets one offer");
      },
    );

    await t.step(
      "stats, /tracker/peers and viewer counts cover the cluster",
      async () => {
        await eventually(async () => {
          const { cluster } = await json(one, "/tracker/stats");
          assert.equal(cluster.backend, "redis");
          assert.equal(cluster.state, "connected");
          assert.equal(cluster.instances, 2);
          assert.equal(cluster.peers, 2);
          assert.equal(cluster.connections, 2);
        }, 5000);
        const listed = await peersOn(one);
        assert.deepEqual(
          listed.map((p) => p.peerId).sort(),
          [aliceId, bobId].map(binaryToHex).sort(),
        );
        assert.equal(new Set(listed.map((p) => p.instance)).size, 2);
        // The other instance's viewers arrive with its heartbeat.
        await eventually(async () => {
          assert.equal(
            (await json(two, "/tracker/channels/demo")).viewers,
            2,
          );
        }, 8000);
        // A player's page and its reports may land on different instances
        // behind a load balancer: one secret, shared through Redis.
        const tokens = await Promise.all([one, two].map(async (server) => {
          const page = await (await fetch(
            `http://127.0.0.1:${server.port}/watch/demo`,
          )).text();
          return /"sessionToken":"(v1\.[^"]+)"/.exec(page)![1]!;
        }));
        await new Promise((resolve) => setTimeout(resolve, 600)); // ttff 500 ms fits the pages' age
        for (
          const [server, token, p2pBytes] of [
            [two, tokens[0]!, 3000],
            [one, tokens[1]!, 1000],
          ] as const
        ) {
          const response = await fetch(
            `http://127.0.0.1:${server.port}/api/stats/report`,
            {
              method: "POST",
              body: JSON.stringify({
                token,
                channel: "demo",
                live: false,
                p2pStatus: "active",
                totals: {
                  httpBytes: 1000,
                  p2pBytes,
                  uploadedBytes: 0,
                  stalls: 0,
                },
                peers: 1,
                ttffMs: 500,
              }),
            },
          );
          assert.equal(response.status, 204, await response.text());
        }
        await eventually(async () => {
          for (const server of [one, two]) {
            const { p2p } = await json(server, "/tracker/stats");
            assert.equal(p2p.viewers, 2, "players of both instances");
            assert.equal(p2p.channels.demo.p2pBytes, 4000);
            assert.equal(p2p.channels.demo.offload, 4000 / 6000);
          }
        }, 12_000); // the other instance's reports come with its next heartbeat (5 s)
        const offers = (await json(two, "/tracker/stats")).cluster.relays.out;
        assert.ok(offers >= 1, "bob's instance published its offer");
        assert.ok((await json(one, "/tracker/stats")).cluster.relays.in >= 1);
      },
    );

    await t.step(
      "a killed instance's peers leave the shared swarm within the timeout",
      async () => {
        two.child.kill("SIGKILL");
        await two.exited;
        const killedAt = Date.now();
        await eventually(async () => {
          assert.deepEqual((await peersOn(one)).map((p) => p.peerId), [
            binaryToHex(aliceId),
          ]);
        }, PEER_TIMEOUT_S * 1000 + 2000);
        assert.ok(Date.now() - killedAt <= PEER_TIMEOUT_S * 1000 + 2000);
        await eventually(async () => {
          assert.equal(
            (await json(one, "/tracker/stats")).cluster.instances,
            1,
          );
        }, 5000);
      },
    );

    await t.step(
      "without Redis an instance runs local-only, says so, and still signals",
      async () => {
        await redis.stop();
        await eventually(async () => {
          const health = await json(one, "/health");
          assert.equal(health.status, "degraded");
          assert.deepEqual(health.cluster, {
            backend: "redis",
            state: "local-only",
            instances: 0,
          });
        }, 5000);
        assert.ok(
          one.logs.some((line) => line.includes('"cluster.unreachable"')),
        );
        const carol = await open(one);
        const carolId = id20("-PM0203-carol");
        carol.send(announce(carolId, 2, "c"));
        keepAnnouncing(carol, carolId);
        const offer = await answerNextOffer(alice, aliceId);
        assert.equal(offer.peer_id, carolId);
        const answer = await carol.next((f) => f.answer !== undefined);
        assert.equal(answer.peer_id, aliceId);
      },
    );

    await t.step(
      "an instance starts without Redis, and stops promptly",
      async () => {
        const started = Date.now();
        const lonely = await startServerProcess(0, env);
        servers.push(lonely);
        assert.equal((await json(lonely, "/health")).status, "degraded");
        assert.ok(
          Date.now() - started < 15_000,
          "start-up waits a few seconds at most",
        );
        const stopping = Date.now();
        lonely.child.kill("SIGTERM");
        assert.equal((await lonely.exited).code, 0);
        assert.ok(
          Date.now() - stopping < 5000,
          "shutdown does not wait for Redis",
        );
      },
    );

    await t.step(
      "when Redis is back the instance rejoins by itself",
      async () => {
        await redis.start(); // empty: it kept nothing on disk
        await eventually(async () => {
          assert.equal((await json(one, "/health")).status, "ok");
        }, 8000);
        const three = await startServerProcess(0, env);
        servers.push(three);
        // Only the rejoin can have told the new, empty Redis about alice and carol.
        await eventually(
          async () => assert.equal((await peersOn(three)).length, 2),
          3000,
        );
        const dave = await open(three);
        const daveId = id20("-PM0203-dave");
        dave.send(announce(daveId, 1, "d"));
        const offer = await Promise.any([
          answerNextOffer(alice, aliceId),
          answerNextOffer(sockets[2]!, id20("-PM0203-carol")),
        ]);
        assert.equal(offer.peer_id, daveId);
        const answer = await dave.next((f) => f.answer !== undefined, 5000);
        assert.equal(answer.offer_id, offer.offer_id);
      },
    );
  } finally {
    for (const timer of timers) clearInterval(timer);
    for (const socket of sockets) await socket.close().catch(() => {});
    for (const server of servers) {
      try {
        server.child.kill("SIGTERM");
      } catch {
        // already gone
      }
      await server.exited;
    }
    await redis.stop();
  }
});
