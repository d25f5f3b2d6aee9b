/**
 * The contract every cluster backend keeps, run against real engines: a
 * `redis-server` on loopback, and Deno KV on a local SQLite file (what Deno
 * Deploy runs is the same API). Two backends on one engine are two instances.
 */
import assert from "node:assert/strict";
import {
  type InstanceSummary,
  KvBackend,
  type MemberRecord,
  RedisBackend,
  type RelayEnvelope,
  type SwarmBackend,
} from "../../../tracker/cluster/mod.ts";
import type { BackendHandlers } from "../../../tracker/cluster/backend.ts";
import { startRedis } from "../../../scripts/redis_server.ts";
import { id20 } from "../../helpers/ws_client.ts";
import { eventually } from "../../helpers/eventually.ts";

const TIMEOUT_MS = 10_000;
const INFO_HASH = id20("swarm\n one ");
const OTHER_HASH = id20("swarm two");

/** An instance under test: its backend and what it was told. */
interface Instance {
  backend: SwarmBackend;
  delivered: RelayEnvelope[];
  members: MemberRecord[];
}

type Factory = (id: string, clock: () => number) => SwarmBackend;

function handlers(instance: Instance, channel: string): BackendHandlers {
  return {
    deliver: (envelope) => instance.delivered.push(envelope),
    stateChanged: () => {},
    localMembers: () => instance.members,
    localSwarms: () => new Set(instance.members.map((m) => m.infoHash)),
    summary: () => ({
      peers: instance.members.length,
      seeders: 0,
      connections: 1,
      connectedPlayers: { [channel]: 1 },
    }),
  };
}

async function contract(t: Deno.TestContext, create: Factory) {
  let now = Date.now();
  const clock = () => now;
  const a: Instance = {
    backend: create("inst-a", clock),
    delivered: [],
    members: [],
  };
  const b: Instance = {
    backend: create("inst-b", clock),
    delivered: [],
    members: [],
  };
  const member = (peer: string, extra: Partial<MemberRecord> = {}) => ({
    infoHash: INFO_HASH,
    peerId: id20(peer),
    complete: false,
    joinedAt: now - 1000,
    lastSeen: now,
    ...extra,
  });
  // a1 asks: its own record, as last announced.
  const asker = () => a.members.find((m) => m.peerId === id20("a1 "))!;
  const add = (instance: Instance, record: MemberRecord) => {
    instance.members.push(record);
    instance.backend.upsert(record);
  };
  try {
    await a.backend.start(handlers(a, "news"));
    await b.backend.start(handlers(b, "news"));
    assert.equal(a.backend.state, "connected");
    assert.equal(b.backend.state, "connected");

    await t.step("members are visible to every instance", async () => {
      add(a, member("a1 "));
      add(b, member("b1\n", { complete: true }));
      add(b, member("b-other", { infoHash: OTHER_HASH }));
      await eventually(async () => {
        const peers = await a.backend.swarmPeers(INFO_HASH);
        assert.deepEqual(
          peers.map((p) => [p.instance, p.peerId, p.complete, p.joinedAt])
            .sort(),
          [
            ["inst-a", id20("a1 "), false, now - 1000],
            ["inst-b", id20("b1\n"), true, now - 1000],
          ],
        );
      });
    });

    await t.step(
      "announce() picks among every instance's peers, never the asker",
      async () => {
        for (const id of ["a2", "a3"]) add(a, member(id));
        for (const id of ["b2", "b3"]) add(b, member(id));
        const others = new Set(["a2", "a3", "b1\n", "b2", "b3"].map(id20));
        await eventually(async () =>
          assert.equal((await b.backend.swarmPeers(INFO_HASH)).length, 6)
        );
        const chosen = new Set<string>();
        for (let i = 0; i < 60; i++) {
          const { peers: picked, swarmSize } = await a.backend.announce(
            asker(),
            { count: 3, detailsChanged: false },
          );
          if (swarmSize !== undefined) assert.equal(swarmSize, 6);
          assert.equal(picked.length, 3);
          assert.equal(
            new Set(picked.map((p) => p.peerId)).size,
            3,
            "distinct",
          );
          for (const { peerId, instance } of picked) {
            assert.ok(others.has(peerId), `picked ${JSON.stringify(peerId)}`);
            assert.equal(
              instance,
              peerId.startsWith("a") ? "inst-a" : "inst-b",
            );
            chosen.add(peerId);
          }
        }
        assert.deepEqual(
          [...chosen].sort(),
          [...others].sort(),
          "every peer gets chosen",
        );
        const alone = member("a1 ", { infoHash: id20("nobody") });
        assert.deepEqual(
          (await a.backend.announce(alone, { count: 3, detailsChanged: true }))
            .peers,
          [],
          "alone in a swarm: nobody to pick",
        );
        a.backend.remove(alone.infoHash, alone.peerId);
      },
    );

    await t.step(
      "announce() adds or refreshes the member and picks others, in one call",
      async () => {
        const record = member("a4", { complete: true });
        a.members.push(record);
        const { peers, swarmSize } = await a.backend.announce(record, {
          count: 4,
          detailsChanged: true,
        });
        assert.equal(peers.length, 4);
        assert.ok(!peers.some((p) => p.peerId === id20("a4")), "never itself");
        if (swarmSize !== undefined) assert.equal(swarmSize, 7);
        await eventually(async () => {
          const listed = await b.backend.swarmPeers(INFO_HASH);
          const a4 = listed.find((p) => p.peerId === id20("a4"));
          assert.equal(a4?.complete, true, "details written when they changed");
          assert.equal(a4?.instance, "inst-a");
        });
        const refreshed = { ...record, lastSeen: now + 5 };
        const again = await a.backend.announce(refreshed, {
          count: 0,
          detailsChanged: false,
        });
        assert.deepEqual(again.peers, []);
        await eventually(async () => {
          const listed = await b.backend.swarmPeers(INFO_HASH);
          const a4 = listed.find((p) => p.peerId === id20("a4"));
          assert.equal(a4?.lastSeen, now + 5, "refreshed");
          assert.equal(a4?.complete, true, "details kept");
        });
        a.members = a.members.filter((m) => m !== record);
        a.backend.remove(INFO_HASH, id20("a4"));
      },
    );

    await t.step(
      "announce() picks members sharing the asker's locality keys first, on every instance",
      async () => {
        const NEAR = id20("nearby swarm");
        const here = ["p:198.51.100", "r:BR-SP"];
        const near = (peer: string, keys: string[]) =>
          member(peer, { infoHash: NEAR, near: keys });
        const records = {
          b: [
            near("nb1", here),
            near("nb2", here),
            ...["fb1", "fb2", "fb3", "fb4"].map((id) =>
              near(id, ["p:203.0.113", "r:BR-RJ"])
            ),
            // On the asker's /24 but download only (its id says so): never
            // offered as a near peer.
            member("nd1", {
              infoHash: NEAR,
              near: here,
              peerId: "-PM0203-1xYs5Md0abcd",
            }),
          ],
          a: [near("ma1", ["p:192.0.2", "r:BR-SP"])],
        };
        for (const record of records.b) add(b, record);
        for (const record of records.a) add(a, record);
        const asking = near("na1", here);
        a.members.push(asking);
        await eventually(async () =>
          assert.equal((await a.backend.swarmPeers(NEAR)).length, 8)
        );
        for (let i = 0; i < 10; i++) {
          const { peers, matched } = await a.backend.announce(asking, {
            count: 3,
            detailsChanged: i === 0,
            randomShare: 0,
          });
          assert.deepEqual(
            peers.map((p) => p.peerId).sort(),
            [id20("nb1"), id20("nb2"), id20("ma1")].sort(),
            "its /24 on the other instance (uploaders only), then its region",
          );
          assert.deepEqual(matched, [2, 1]);
        }
        // A first announce adds the random share from anyone (2 of 5 here);
        // a re-announce keeps to its near members.
        const nearIds = [id20("nb1"), id20("nb2"), id20("ma1")];
        const first = await a.backend.announce(asking, {
          count: 5,
          detailsChanged: false,
          randomShare: 0.4,
          firstAnnounce: true,
        });
        const firstIds = first.peers.map((p) => p.peerId);
        assert.equal(firstIds.length, 5);
        assert.ok(nearIds.every((id) => firstIds.includes(id)));
        const again = await a.backend.announce(asking, {
          count: 5,
          detailsChanged: false,
          randomShare: 0.4,
          firstAnnounce: false,
        });
        assert.deepEqual(
          again.peers.map((p) => p.peerId).sort(),
          [...nearIds].sort(),
          "a re-announce: near members only",
        );
        const three = await a.backend.announce(asking, {
          count: 3,
          detailsChanged: false,
          randomShare: 0.4,
          firstAnnounce: false,
        });
        assert.deepEqual(
          three.peers.map((p) => p.peerId).sort(),
          [...nearIds].sort(),
          "a re-announce gives the random share's offers to near members",
        );
        // Without a near quota it is the plain random choice.
        const spread = new Set<string>();
        for (let i = 0; i < 30; i++) {
          const { peers } = await a.backend.announce(asking, {
            count: 3,
            detailsChanged: false,
          });
          for (const { peerId } of peers) spread.add(peerId);
        }
        assert.ok(spread.size >= 5, `random picks reached ${spread.size}`);
        // A member that leaves leaves its locality sets too.
        b.backend.remove(NEAR, id20("nb1"), here);
        await eventually(async () => {
          const { peers } = await a.backend.announce(asking, {
            count: 2,
            detailsChanged: false,
            randomShare: 0,
          });
          assert.ok(!peers.some((p) => p.peerId === id20("nb1")));
          assert.ok(peers.some((p) => p.peerId === id20("nb2")));
        });
        for (const record of [...records.b, ...records.a, asking]) {
          const owner = records.a.includes(record) || record === asking ? a : b;
          owner.members = owner.members.filter((m) => m !== record);
          owner.backend.remove(NEAR, record.peerId, record.near);
        }
      },
    );

    await t.step(
      "a member silent past the peer timeout is neither listed nor picked",
      async () => {
        add(b, member("b-stale", { lastSeen: now - TIMEOUT_MS - 1 }));
        await eventually(async () => {
          const listed = (await a.backend.swarmPeers(INFO_HASH)).map((p) =>
            p.peerId
          );
          assert.equal(listed.length, 6);
          assert.ok(!listed.includes(id20("b-stale")));
        });
        for (let i = 0; i < 20; i++) {
          const { peers: picked } = await a.backend.announce(asker(), {
            count: 10,
            detailsChanged: false,
          });
          assert.equal(picked.length, 5);
        }
        // The clock moves on: everyone's last announce is now too old.
        now += TIMEOUT_MS + 1;
        assert.deepEqual(await a.backend.swarmPeers(INFO_HASH), []);
        assert.deepEqual(
          (await a.backend.announce(asker(), {
            count: 3,
            detailsChanged: false,
          })).peers,
          [],
        );
        for (const instance of [a, b]) {
          for (const record of instance.members) {
            record.lastSeen = now;
            instance.backend.upsert(record); // they announce again
          }
        }
        await eventually(async () =>
          assert.equal((await a.backend.swarmPeers(INFO_HASH)).length, 7)
        );
      },
    );

    await t.step("remove withdraws a member at once", async () => {
      b.members = b.members.filter((m) => m.peerId !== id20("b-stale"));
      b.backend.remove(INFO_HASH, id20("b-stale"));
      await eventually(async () => {
        const listed = (await a.backend.swarmPeers(INFO_HASH)).map((p) =>
          p.peerId
        );
        assert.equal(listed.length, 6);
        assert.ok(!listed.includes(id20("b-stale")));
      });
    });

    await t.step(
      "a relay reaches only the instance named, its frame untouched",
      async () => {
        const envelope: RelayEnvelope = {
          kind: "offer",
          infoHash: INFO_HASH,
          from: id20("a1 "),
          fromInstance: "inst-a",
          to: id20("b1\n"),
          offerId: id20("offer\u00ff\u0000"),
          frame: JSON.stringify({
            offer: { sdp: "v=0\r\na=é\n" },
            peer_id: id20("a1 "),
          }),
        };
        a.backend.send("inst-b", envelope);
        a.backend.send("inst-b", { ...envelope, kind: "answer" });
        await eventually(() => assert.equal(b.delivered.length, 2));
        assert.deepEqual(b.delivered, [envelope, {
          ...envelope,
          kind: "answer",
        }]);
        assert.deepEqual(a.delivered, []);
      },
    );

    await t.step(
      "instances() lists every live instance's summary",
      async () => {
        await eventually(() => {
          const seen: readonly InstanceSummary[] = a.backend.instances();
          assert.deepEqual(seen.map((s) => s.instance), ["inst-a", "inst-b"]);
          assert.deepEqual(seen.map((s) => s.connectedPlayers), [{ news: 1 }, {
            news: 1,
          }]);
          assert.ok(seen.every((s) => s.peers > 0));
        });
      },
    );

    await t.step(
      "close() withdraws the instance's members and summary",
      async () => {
        await b.backend.close();
        assert.equal(b.backend.state, "local-only");
        await eventually(async () => {
          const listed = await a.backend.swarmPeers(INFO_HASH);
          assert.deepEqual([...new Set(listed.map((p) => p.instance))], [
            "inst-a",
          ]);
        });
        await eventually(() =>
          assert.deepEqual(a.backend.instances().map((s) => s.instance), [
            "inst-a",
          ])
        );
      },
    );
  } finally {
    await a.backend.close();
    await b.backend.close();
  }
}

Deno.test("the Redis backend keeps the cluster contract", async (t) => {
  const redis = await startRedis();
  try {
    const prefix = `test-${crypto.randomUUID().slice(0, 8)}`;
    await contract(t, (instanceId, clock) =>
      new RedisBackend({
        url: redis.url,
        peerTimeoutMs: TIMEOUT_MS,
        heartbeatMs: 100,
        prefix,
        instanceId,
        clock,
      }));
  } finally {
    await redis.stop();
  }
});

Deno.test("the Deno KV backend keeps the cluster contract", async (t) => {
  const path = await Deno.makeTempFile({ suffix: ".sqlite" });
  try {
    await contract(t, (instanceId, clock) =>
      new KvBackend({
        open: () => Deno.openKv(path),
        peerTimeoutMs: TIMEOUT_MS,
        heartbeatMs: 100,
        instanceId,
        clock,
      }));
  } finally {
    await Deno.remove(path).catch(() => {});
  }
});
