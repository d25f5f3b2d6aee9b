/**
 * Micro-benchmarks of nearby-peers-first (`deno bench`): the ranked choice
 * against the plain random one, in swarms of 10 and of 100,000 peers
 * spread over /24 networks and regions, and a locality table lookup in a
 * table of IP-to-ASN size. The ranked choice must stay within ~2 µs of the
 * random one at both sizes.
 * @module
 */
import { DEFAULT_LOCALITY_CONFIG, localityKeys } from "../tracker/locality.ts";
import { LocalityTable } from "../tracker/locality_table.ts";
import { type PeerConnection, Swarm } from "../tracker/swarm.ts";
import { parseIp } from "../utils/ip.ts";

/** A table of 300,000 /24 ranges over 30,000 networks and 27 regions. */
const TABLE = LocalityTable.parse(
  Array.from(
    { length: 300_000 },
    (_, i) =>
      `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24,AS${i % 30_000},R${
        i % 27
      }`,
  ).join("\n"),
  "bench.csv",
);
const CONFIG = { ...DEFAULT_LOCALITY_CONFIG, table: TABLE };

function address(i: number): string {
  // 20 peers per /24: neighbours exist at every level.
  const net = Math.floor(i / 20);
  return `${10 + (net >> 16)}.${(net >> 8) & 255}.${net & 255}.${i % 20 + 1}`;
}

function filledSwarm(size: number) {
  const swarm = new Swarm("s".repeat(20), 0);
  const peers = Array.from({ length: size }, (_, i) => {
    const connection: PeerConnection = {
      id: i,
      locality: localityKeys(address(i), undefined, CONFIG),
      send: () => true,
    };
    return swarm.add(`peer-${i}`, connection, 0);
  });
  return { swarm, peers };
}

const small = filledSwarm(10);
const large = filledSwarm(100_000);
let turn = 0;

for (
  const [label, { swarm, peers }] of [["10", small], [
    "100,000",
    large,
  ]] as const
) {
  Deno.bench(`random: 5 peers of a swarm of ${label}`, {
    group: `pick ${label}`,
    baseline: true,
  }, () => {
    swarm.sample(5, peers[turn++ % peers.length]!, Math.random);
  });
  Deno.bench(`nearest first: 5 peers of a swarm of ${label}`, {
    group: `pick ${label}`,
  }, () => {
    swarm.pickNear(5, peers[turn++ % peers.length]!, Math.random, {
      randomShare: 0.25,
    });
  });
}

const probe = parseIp("10.2.3.4")!;
Deno.bench(
  "locality table lookup (300,000 ranges)",
  { group: "lookup" },
  () => {
    TABLE.lookup(probe);
  },
);
Deno.bench("locality keys of a new connection", { group: "lookup" }, () => {
  localityKeys("10.2.3.4", undefined, CONFIG);
});
