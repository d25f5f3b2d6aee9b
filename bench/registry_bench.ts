/**
 * Micro-benchmarks of the swarm registry (`deno bench`): joining, refreshing,
 * random peer choice in small and large swarms, and removal.
 * @module
 */
import { Registry } from "../tracker/registry.ts";
import type { PeerConnection } from "../tracker/swarm.ts";

const connection = (id: number): PeerConnection => ({ id, send: () => true });

function filledRegistry(swarmSize: number) {
  const registry = new Registry({ peerTimeoutMs: 60_000 });
  const connections = Array.from(
    { length: swarmSize },
    (_, i) => connection(i),
  );
  const peers = connections.map((c, i) =>
    registry.announce(c, "swarm", `peer-${i}`).peer
  );
  return { registry, connections, peers };
}

const small = filledRegistry(10);
const large = filledRegistry(100_000);

Deno.bench("sample 5 peers from a swarm of 10", { group: "sample" }, () => {
  small.peers[3]!.swarm.sample(5, small.peers[3], Math.random);
});
Deno.bench("sample 5 peers from a swarm of 100,000 (no copy)", {
  group: "sample",
}, () => {
  large.peers[3]!.swarm.sample(5, large.peers[3], Math.random);
});

let next = 0;
Deno.bench("announce refresh of a known peer (swarm of 100,000)", {
  group: "membership",
}, () => {
  const i = next++ % 100_000;
  large.registry.announce(large.connections[i]!, "swarm", `peer-${i}`);
});
let joined = 0;
Deno.bench(
  "join then leave (swarm of 100,000)",
  { group: "membership" },
  () => {
    const c = connection(-1);
    // Distinct ids, as real churn has. (Re-adding one same key to a big Map thousands
    // of times in a row walks V8's tombstones, ~26 µs a time; the rate limit bounds it.)
    const { peer } = large.registry.announce(
      c,
      "swarm",
      `transient-${joined++}`,
    );
    large.registry.remove(peer, "stopped");
  },
);
