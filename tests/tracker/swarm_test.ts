import assert from "node:assert/strict";
import { type PeerConnection, Swarm } from "../../tracker/swarm.ts";

function connection(id: number): PeerConnection {
  return { id, send: () => true };
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

Deno.test("Swarm.sample() picks distinct random peers, never the excluded one", async (t) => {
  const swarm = new Swarm("s".repeat(20), 0);
  const peers = Array.from(
    { length: 30 },
    (_, i) => swarm.add(`peer-${i}`, connection(i), 0),
  );
  const random = seededRandom(42);

  await t.step("never self, never duplicates, exactly min(k, n-1)", () => {
    for (let round = 0; round < 500; round++) {
      const self = peers[round % peers.length]!;
      const k = round % 35;
      const picked = swarm.sample(k, self, random);
      assert.equal(picked.length, Math.min(k, 29));
      assert.ok(
        !picked.includes(self),
        "the announcing peer never gets its own offer",
      );
      assert.equal(new Set(picked).size, picked.length);
    }
  });

  await t.step("every other peer gets picked: the choice is spread", () => {
    const counts = new Map<string, number>();
    for (let round = 0; round < 3000; round++) {
      for (const peer of swarm.sample(3, peers[0], random)) {
        counts.set(peer.id, (counts.get(peer.id) ?? 0) + 1);
      }
    }
    assert.equal(counts.size, 29);
    const values = [...counts.values()];
    // 9000 picks over 29 peers: ~310 each; a biased sampler would skew far more.
    assert.ok(
      Math.min(...values) > 200 && Math.max(...values) < 430,
      `counts ${values}`,
    );
  });

  await t.step("a swarm of one has no one to offer to", () => {
    const alone = new Swarm("a".repeat(20), 0);
    const peer = alone.add("only", connection(1), 0);
    assert.deepEqual(alone.sample(5, peer, random), []);
    assert.equal(alone.sample(5, undefined, random).length, 1);
  });
});

Deno.test("Swarm.remove() is O(1) and keeps the swarm consistent", () => {
  const swarm = new Swarm("s".repeat(20), 0);
  const peers = Array.from(
    { length: 5 },
    (_, i) => swarm.add(`p${i}`, connection(i), 0),
  );
  swarm.setComplete(peers[4]!, true);
  assert.equal(swarm.complete, 1);
  assert.ok(swarm.remove(peers[1]!));
  assert.equal(peers[4]!.slot, 1, "the last peer moved into the hole");
  assert.equal(swarm.size, 4);
  assert.equal(swarm.get("p1"), undefined);
  assert.equal(swarm.remove(peers[1]!), false, "removing twice is a no-op");
  assert.ok(swarm.remove(peers[4]!));
  assert.equal(swarm.complete, 0, "a removed seeder no longer counts");
  assert.equal(swarm.incomplete, 3);
  for (const peer of swarm.peers()) {
    assert.equal(swarm.peers()[peer.slot], peer);
  }
});
