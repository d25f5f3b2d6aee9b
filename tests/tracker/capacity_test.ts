import assert from "node:assert/strict";
import { announce, setup } from "../helpers/tracker.ts";
import { id20 } from "../helpers/ws_client.ts";

Deno.test("caps on swarms per connection, peers per swarm and total peers refuse politely", async (t) => {
  await t.step("swarms per connection", () => {
    const { tracker, open } = setup({ maxSwarmsPerConnection: 2 });
    const client = open();
    client.send(announce(id20("a"), {}, id20("h1")));
    client.send(announce(id20("a"), {}, id20("h2")));
    client.send(announce(id20("a"), {}, id20("h3")));
    assert.match(
      String(client.last()?.["failure reason"]),
      /Too many swarms on one connection: at most 2/,
    );
    client.send(announce(id20("a"), {}, id20("h1")));
    assert.equal(
      client.last()?.action,
      "announce",
      "re-announcing in a joined swarm is fine",
    );
    assert.equal(tracker.counters.refused.swarmsPerConnection, 1);
  });
  await t.step("peers per swarm", () => {
    const { tracker, open } = setup({ maxPeersPerSwarm: 2 });
    for (const name of ["a", "b"]) open().send(announce(id20(name)));
    const third = open();
    third.send(announce(id20("c")));
    assert.match(
      String(third.last()?.["failure reason"]),
      /Swarm is full: at most 2 peers/,
    );
    third.send(announce(id20("c"), {}, id20("other-swarm")));
    assert.equal(third.last()?.incomplete, 1, "other swarms still take peers");
    assert.equal(tracker.counters.refused.peersPerSwarm, 1);
  });
  await t.step("total peers", () => {
    const { tracker, open } = setup({ maxPeers: 2 });
    open().send(announce(id20("a"), {}, id20("h1")));
    open().send(announce(id20("b"), {}, id20("h2")));
    const late = open();
    late.send(announce(id20("c"), {}, id20("h3")));
    assert.match(String(late.last()?.["failure reason"]), /Tracker is full/);
    assert.equal(tracker.counters.refused.totalPeers, 1);
  });
});

Deno.test("the simple API goes through the same caps as WebTorrent (the bypass is closed)", async (t) => {
  await t.step(
    "one socket cannot join more swarms than the cap with simple announces",
    () => {
      const { tracker, open } = setup({ maxSwarmsPerConnection: 10 });
      const client = open();
      const errors: string[] = [];
      for (let i = 0; i < 40; i++) {
        client.send({ type: "announce", peerId: "p1", infoHash: `swarm-${i}` });
        const last = client.last();
        if (last?.type === "error") errors.push(String(last.message));
      }
      assert.equal(tracker.simple.swarms.size, 10);
      assert.equal(errors.length, 30);
      assert.match(errors[0]!, /Too many swarms on one connection: at most 10/);
    },
  );
  await t.step(
    "simple and WebTorrent swarms count together per connection",
    () => {
      const { open } = setup({ maxSwarmsPerConnection: 2 });
      const client = open();
      client.send({ type: "announce", peerId: "p1", infoHash: "simple-one" });
      client.send(announce(id20("a"), {}, id20("h1")));
      client.send(announce(id20("a"), {}, id20("h2")));
      assert.match(
        String(client.last()?.["failure reason"]),
        /Too many swarms on one connection/,
      );
    },
  );
  await t.step(
    "simple announces from one address cannot fill the tracker and lock WebTorrent viewers out",
    () => {
      const { tracker, open } = setup({
        maxPeers: 30,
        maxSwarmsPerConnection: 10,
        maxConnectionsPerIp: 2,
      });
      let admitted = 0;
      for (let s = 0; s < 5; s++) {
        const slot = tracker.reserve("203.0.113.7");
        if (!slot) continue; // what the upgrade refuses (429)
        admitted++;
        const attacker = open("203.0.113.7", slot);
        for (let i = 0; i < 40; i++) {
          attacker.send({
            type: "announce",
            peerId: `attacker-${s}`,
            infoHash: `junk-${s}-${i}`,
          });
        }
      }
      // Before: 5 sockets x 40 simple swarms filled all 30 places.
      assert.equal(admitted, 2);
      assert.ok(tracker.simple.peerCount <= 20);
      const viewer = open("198.51.100.1");
      viewer.send(announce(id20("viewer")));
      assert.equal(viewer.last()?.action, "announce");
      assert.equal(viewer.last()?.["failure reason"], undefined);
    },
  );
  await t.step("simple-API ids are capped at 64 printable characters", () => {
    const { tracker, open } = setup();
    const client = open();
    client.send({ type: "announce", peerId: "p1", infoHash: "x".repeat(250) });
    assert.match(String(client.last()?.message), /250 characters, at most 64/);
    client.send({ type: "announce", peerId: "p 1\n", infoHash: "ok" });
    assert.match(String(client.last()?.message), /printable ASCII/);
    assert.equal(tracker.simple.swarms.size, 0);
  });
});
