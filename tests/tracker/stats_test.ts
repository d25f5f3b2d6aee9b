import assert from "node:assert/strict";
import { Tracker } from "../../tracker/tracker.ts";
import { id20 } from "../helpers/ws_client.ts";

function quietConnection(tracker: Tracker) {
  return tracker.connect({ send: () => true, close() {} });
}

Deno.test("50,000 swarms: stats list a bounded page, biggest first, and totals stay exact", async () => {
  const tracker = new Tracker({
    config: {
      maxSwarmsPerConnection: 1_000_000,
      maxPeers: 1_000_000,
      messagesPerSecond: 1e9,
      messageBurst: 1e9,
    },
  });
  const many = quietConnection(tracker);
  for (let i = 0; i < 50_000; i++) {
    tracker.receive(
      many,
      JSON.stringify({
        action: "announce",
        info_hash: id20(`s${i}-`),
        peer_id: id20("p"),
      }),
    );
  }
  // One swarm with 3 peers, one with 2: they lead the list.
  for (const [swarm, peers] of [["big", 3], ["mid", 2]] as const) {
    for (let p = 0; p < peers; p++) {
      tracker.receive(
        quietConnection(tracker),
        JSON.stringify({
          action: "announce",
          info_hash: id20(swarm),
          peer_id: id20(`${swarm}${p}`),
        }),
      );
    }
  }
  const started = performance.now();
  const stats = tracker.stats({ limit: 100, offset: 0 });
  const ms = performance.now() - started;
  const json = JSON.stringify(stats);
  assert.equal(stats.swarms, 50_002);
  assert.equal(stats.peers, 50_005);
  assert.equal(stats.swarmDetails!.length, 100);
  assert.deepEqual(stats.swarmDetails!.slice(0, 2).map((s) => s.peers), [3, 2]);
  assert.deepEqual(stats.swarmPage, { total: 50_002, nextCursor: "100" });
  assert.ok(json.length < 40_000, `${json.length} characters (before: 19 MB)`);
  console.log(
    `stats page of 50,002 swarms: ${json.length} characters, ${
      ms.toFixed(1)
    } ms`,
  );
  const next = tracker.stats({ limit: 100, offset: 100 });
  const firstIds = new Set(stats.swarmDetails!.map((s) => s.infoHash));
  assert.ok(next.swarmDetails!.every((s) => !firstIds.has(s.infoHash)));

  const peers = await tracker.peersAcrossCluster(id20("big"), {
    limit: 2,
    offset: 0,
  });
  assert.equal(peers?.peers.length, 2);
  assert.equal(peers?.total, 3);
  assert.equal(peers?.nextCursor, "2");
  await tracker.close();
});
