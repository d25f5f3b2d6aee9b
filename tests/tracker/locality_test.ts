import assert from "node:assert/strict";
import {
  DEFAULT_LOCALITY_CONFIG,
  farAllowance,
  levelOf,
  localityKeys,
  nearLimit,
  nearQuota,
  NO_LOCALITY,
} from "../../tracker/locality.ts";
import {
  LocalityTable,
  MAX_LOCALITY_RANGES,
} from "../../tracker/locality_table.ts";
import { localityConfigFromEnv } from "../../tracker/config.ts";
import { type PeerConnection, Swarm } from "../../tracker/swarm.ts";
import { parseIp } from "../../utils/ip.ts";

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const TABLE = LocalityTable.parse(
  [
    "# cidr,network,region",
    "cidr,network,region",
    "200.160.0.0/20,AS22548,BR-SP",
    "200.160.4.0/24,AS22548-LAB,BR-SP", // more specific wins
    "177.0.0.0/8,,BR-RJ",
    "2804:14c::/32,AS28573,BR-SP",
  ].join("\n"),
  "asn.csv",
);

Deno.test("localityKeys(): the /24 or /48, then the table's network and region, then the platform's region", () => {
  const config = { ...DEFAULT_LOCALITY_CONFIG, table: TABLE };
  assert.deepEqual(localityKeys("200.160.1.9", undefined, config), [
    "p:200.160.1",
    "n:AS22548",
    "r:BR-SP",
  ]);
  assert.deepEqual(localityKeys("200.160.4.9", undefined, config), [
    "p:200.160.4",
    "n:AS22548-LAB",
    "r:BR-SP",
  ]);
  assert.deepEqual(localityKeys("177.5.6.7", undefined, config), [
    "p:177.5.6",
    "r:BR-RJ",
  ]);
  assert.deepEqual(
    localityKeys("2804:14c:1:2::9", undefined, config),
    ["p:2804014c0001", "n:AS28573", "r:BR-SP"],
    "IPv6 by its /48",
  );
  assert.deepEqual(
    localityKeys("::ffff:200.160.1.9", undefined, config)[0],
    "p:200.160.1",
    "an IPv4-mapped address is IPv4",
  );
  // The platform's header counts only when the operator names it.
  assert.deepEqual(localityKeys("10.0.0.1", "gru", config), ["p:10.0.0"]);
  const withHeader = { ...config, regionHeader: "x-region" };
  assert.deepEqual(localityKeys("10.0.0.1", "gru", withHeader), [
    "p:10.0.0",
    "h:gru",
  ]);
  assert.deepEqual(
    localityKeys("10.0.0.1", "x".repeat(65), withHeader),
    ["p:10.0.0"],
    "an oversized header value is ignored",
  );
  assert.deepEqual(
    localityKeys("10.0.0.1", "gru\u0000", withHeader),
    ["p:10.0.0"],
  );
  assert.equal(localityKeys(undefined, undefined, config), NO_LOCALITY);
  assert.equal(
    localityKeys("200.160.1.9", "gru", { ...withHeader, enabled: false }),
    NO_LOCALITY,
    "LOCALITY=off",
  );
  assert.equal(levelOf("p:1.2.3"), "prefix");
  assert.equal(levelOf("n:AS1"), "network");
  assert.equal(levelOf("h:gru"), "region");
});

Deno.test("LocalityTable.parse(): bad, hostile and duplicate lines are skipped with file:line", () => {
  const table = LocalityTable.parse(
    [
      "\uFEFF10.0.0.0/8,NET-A,BR-SP",
      "10.1.0.0/16,NET-B",
      "not-a-cidr,NET-C,BR-SP",
      "10.2.0.0/33,NET-D,BR-SP",
      "10.3.0.0/16,<script>,BR-SP",
      `10.4.0.0/16,${"A".repeat(65)},BR-SP`,
      "10.5.0.0/16,,",
      "10.0.0.0/8,NET-A,BR-SP",
      "",
      "10.6.0.0/16,NET-E,BR-RJ\r",
    ].join("\n"),
    "hostile.csv",
  );
  assert.equal(table.size, 2);
  assert.deepEqual(
    table.problems.map((problem) => problem.where),
    [
      "hostile.csv:2",
      "hostile.csv:3",
      "hostile.csv:4",
      "hostile.csv:5",
      "hostile.csv:6",
      "hostile.csv:7",
      "hostile.csv:8",
    ],
  );
  assert.match(table.problems[0]!.message, /expected 3 fields/);
  assert.match(table.problems[6]!.message, /listed twice/);
  assert.deepEqual(table.lookup(parseIp("10.6.1.1")!), {
    network: "NET-E",
    region: "BR-RJ",
  });
  assert.equal(table.lookup(parseIp("11.0.0.1")!), undefined);
  assert.ok(MAX_LOCALITY_RANGES >= 1_000_000, "a whole IP-to-ASN dump fits");
});

Deno.test("localityConfigFromEnv(): on by default, LOCALITY=off, a share from 0 to 1, a file read at start", () => {
  const env = (values: Record<string, string>) => (name: string) =>
    values[name];
  assert.deepEqual(localityConfigFromEnv(env({})), DEFAULT_LOCALITY_CONFIG);
  assert.equal(localityConfigFromEnv(env({ LOCALITY: "off" })).enabled, false);
  assert.equal(
    localityConfigFromEnv(env({ LOCALITY_RANDOM_SHARE: "0.5" })).randomShare,
    0.5,
  );
  assert.throws(
    () => localityConfigFromEnv(env({ LOCALITY_RANDOM_SHARE: "1.5" })),
    /LOCALITY_RANDOM_SHARE/,
  );
  assert.throws(
    () => localityConfigFromEnv(env({ LOCALITY: "maybe" })),
    /LOCALITY/,
  );
  assert.throws(
    () => localityConfigFromEnv(env({ PEER_REGION_HEADER: "x region" })),
    /PEER_REGION_HEADER/,
  );
  const config = localityConfigFromEnv(
    env({ PEER_LOCALITY_FILE: "asn.csv", PEER_REGION_HEADER: "X-Region" }),
    () => "200.160.0.0/20,AS22548,BR-SP\n",
  );
  assert.equal(config.table?.size, 1);
  assert.equal(config.regionHeader, "x-region");
  assert.throws(
    () =>
      localityConfigFromEnv(env({ PEER_LOCALITY_FILE: "missing.csv" }), () => {
        throw new Deno.errors.NotFound("missing.csv");
      }),
    /PEER_LOCALITY_FILE: cannot read missing.csv/,
  );
});

Deno.test("nearQuota() and farAllowance(): the share drawn from anyone, and when far peers get offers", () => {
  assert.equal(nearQuota(5, undefined), 0, "locality off: no near quota");
  assert.equal(nearQuota(5, 0), 5);
  assert.equal(nearQuota(5, 1), 0);
  assert.equal(nearQuota(4, 0.25, () => 0), 3);
  assert.equal(nearQuota(5, 0.25, () => 0.99), 3, "1.25 rounds up at random");
  assert.equal(farAllowance(5, 4, 0, true), 5, "nobody near: anyone");
  assert.equal(farAllowance(5, 4, 0, false), 5, "nobody near, re-announce too");
  assert.equal(farAllowance(5, 4, 2, true), 1, "first announce: the share");
  assert.equal(farAllowance(5, 5, 2, true), 0, "no share: near only");
  assert.equal(farAllowance(5, 4, 2, false), 0, "re-announce: near only");
  assert.equal(farAllowance(5, 4, 1, false), 0, "one near peer is enough");
  assert.equal(nearLimit(5, 4), 4, "first announce: the quota");
  assert.equal(nearLimit(5, 4, false), 5, "re-announce: every pick near");
});

/** A connection in region `region` (0, 1, 2…), with keys as the tracker would give it. */
function inRegion(id: number, region: number): PeerConnection {
  return {
    id,
    locality: localityKeys(`198.51.${region}.${id % 250}`, undefined, {
      ...DEFAULT_LOCALITY_CONFIG,
      table: LocalityTable.parse(
        "198.51.0.0/24,NET-0,R0\n198.51.1.0/24,NET-1,R1\n198.51.2.0/24,NET-2,R2\n",
        "lab.csv",
      ),
    }),
    send: () => true,
  };
}

Deno.test("Swarm.pickNear(): near peers first, a random share kept, never self, never twice", async (t) => {
  const swarm = new Swarm("s".repeat(20), 0);
  const peers = Array.from(
    { length: 60 },
    (_, i) => swarm.add(`peer-${i}`, inRegion(i, i % 3), 0),
  );
  const random = seededRandom(7);

  await t.step(
    "with no random share, every pick is in the announcer's region",
    () => {
      for (const from of peers.slice(0, 30)) {
        const matched: number[] = [];
        const picked = swarm.pickNear(5, from, random, {
          randomShare: 0,
          matched,
        });
        assert.equal(picked.length, 5);
        assert.ok(!picked.includes(from));
        assert.equal(new Set(picked).size, 5);
        for (const peer of picked) assert.equal(peer.near[0], from.near[0]);
        assert.equal(matched[0], 5, "all matched by prefix");
      }
    },
  );

  await t.step(
    "a re-announce fills every offer with near peers (the share's too)",
    () => {
      for (const from of peers.slice(0, 30)) {
        const picked = swarm.pickNear(5, from, random, {
          randomShare: 0.25,
          firstAnnounce: false,
        });
        assert.equal(picked.length, 5);
        for (const peer of picked) assert.equal(peer.near[0], from.near[0]);
      }
    },
  );

  await t.step(
    "a quarter random share: about a quarter of picks leave the region",
    () => {
      let outside = 0;
      let total = 0;
      for (let round = 0; round < 2000; round++) {
        const from = peers[round % peers.length]!;
        const picked = swarm.pickNear(4, from, random, { randomShare: 0.25 });
        for (const peer of picked) {
          total++;
          if (peer.near[0] !== from.near[0]) outside++;
        }
      }
      // Random picks land outside the region two times in three.
      const share = outside / total;
      assert.ok(share > 0.12 && share < 0.22, `outside share ${share}`);
    },
  );

  await t.step(
    "too few near peers: the random share on a first announce, near only after, anyone when nobody is near",
    () => {
      const small = new Swarm("t".repeat(20), 0);
      const a = small.add("a", inRegion(1, 0), 0);
      small.add("b", inRegion(2, 0), 0);
      small.add("c", inRegion(3, 0), 0);
      const far = Array.from(
        { length: 6 },
        (_, i) => small.add(`far-${i}`, inRegion(10 + i, 1), 0),
      );
      const ids = (peers: { id: string }[]) => peers.map((p) => p.id).sort();
      const none = small.pickNear(5, a, random, { randomShare: 0 });
      assert.deepEqual(ids(none), ["b", "c"], "no share: near only");
      // A share of 0.4 of 5 is 2 picks from anyone, after the near ones.
      const first = small.pickNear(5, a, random, { randomShare: 0.4 });
      assert.deepEqual(ids(first.slice(0, 2)), ["b", "c"], "near ones first");
      assert.equal(first.length, 4);
      assert.equal(new Set(first).size, 4);
      assert.ok(!first.includes(a));
      const again = small.pickNear(5, a, random, {
        randomShare: 0.4,
        firstAnnounce: false,
      });
      assert.deepEqual(ids(again), ["b", "c"], "a re-announce stays near");
      // One near peer is enough: a re-announce stays near (NEAR_ENOUGH).
      small.remove(small.get("c")!);
      const one = small.pickNear(5, a, random, {
        randomShare: 0.4,
        firstAnnounce: false,
      });
      assert.deepEqual(ids(one), ["b"]);
      // Region 2 has no one near a newcomer from it: anyone, all 5.
      const lonely = small.add("lonely", inRegion(30, 2), 0);
      const sources = small.pickNear(5, lonely, random, {
        randomShare: 0.4,
        firstAnnounce: false,
      });
      assert.equal(sources.length, 5);
      assert.equal(new Set(sources).size, 5);
      assert.ok(!sources.includes(lonely));
      assert.equal(
        small.pickNear(20, far[0]!, random, { randomShare: 0 }).length,
        5,
        "its five near peers, no one else",
      );
    },
  );

  await t.step(
    "a download-only neighbour is not offered as near; it still gets near sources and can be drawn at random",
    () => {
      const mixed = new Swarm("w".repeat(20), 0);
      const phone = "-PM0203-1xYs5Md0abcd"; // its player does not upload
      const a = mixed.add("a", inRegion(1, 0), 0);
      const d = mixed.add(phone, inRegion(2, 0), 0);
      const b = mixed.add("b", inRegion(3, 0), 0);
      for (let i = 0; i < 4; i++) mixed.add(`far-${i}`, inRegion(10 + i, 1), 0);
      for (let round = 0; round < 50; round++) {
        const matched: number[] = [];
        const picked = mixed.pickNear(5, a, random, {
          randomShare: 0,
          matched,
        });
        assert.deepEqual(picked.map((p) => p.id), ["b"], "b, never the phone");
        assert.equal(matched[0], 1);
      }
      const forPhone = mixed.pickNear(5, d, random, { randomShare: 0 });
      assert.deepEqual(
        forPhone.map((p) => p.id).sort(),
        ["a", "b"],
        "the phone's own near offers go to its uploading neighbours",
      );
      let drawn = false;
      for (let round = 0; round < 50 && !drawn; round++) {
        drawn = mixed.pickNear(5, mixed.get("far-0")!, random, {
          randomShare: 1,
        }).includes(d);
      }
      assert.ok(drawn, "anyone can still draw it at random");
      assert.ok(mixed.remove(d));
      assert.ok(mixed.remove(a) && mixed.remove(b));
      assert.deepEqual(
        mixed.pickNear(5, mixed.get("far-0")!, random, { randomShare: 0 })
          .map((p) => p.id).sort(),
        ["far-1", "far-2", "far-3"],
      );
    },
  );

  await t.step("peers that leave leave their buckets too", () => {
    const swarm = new Swarm("u".repeat(20), 0);
    const all = Array.from(
      { length: 20 },
      (_, i) => swarm.add(`p${i}`, inRegion(i, i % 2), 0),
    );
    for (const peer of all.filter((_, i) => i % 4 === 0)) swarm.remove(peer);
    const gone = new Set(all.filter((_, i) => i % 4 === 0));
    for (let round = 0; round < 200; round++) {
      const from = all[1 + (round % 3)]!;
      for (const peer of swarm.pickNear(6, from, random, { randomShare: 0 })) {
        assert.ok(!gone.has(peer), "a removed peer is never picked");
      }
    }
    for (const peer of all) if (!gone.has(peer)) swarm.remove(peer);
    assert.equal(swarm.size, 0);
  });

  await t.step("without locality keys it is the plain random choice", () => {
    const plain = new Swarm("v".repeat(20), 0);
    const a = plain.add("a", { id: 1, send: () => true }, 0);
    for (let i = 0; i < 5; i++) {
      plain.add(`p${i}`, {
        id: 2 + i,
        send: () => true,
      }, 0);
    }
    assert.equal(plain.pickNear(3, a, random, { randomShare: 0 }).length, 3);
  });
});
