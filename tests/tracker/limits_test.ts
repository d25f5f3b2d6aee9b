import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import type { Connection } from "../../tracker/connection.ts";
import { Tracker } from "../../tracker/tracker.ts";
import type { TrackerConfig } from "../../tracker/config.ts";
import { id20 } from "../helpers/ws_client.ts";

const HASH = "H8xgGJQ+9fDTmfjl7YpP";

interface Client {
  connection: Connection;
  frames: Record<string, unknown>[];
  closed?: number;
  send(message: Record<string, unknown>): void;
  last(): Record<string, unknown> | undefined;
}

function setup(config: Partial<TrackerConfig> = {}) {
  const clock = FakeTimers.createClock(1_000_000);
  const tracker = new Tracker({
    config,
    clock: () => clock.now,
    random: () => 0.5,
  });
  const open = (ip = "10.0.0.1", slot = tracker.reserve(ip)): Client => {
    const client = { frames: [] } as unknown as Client;
    client.connection = tracker.connect({
      send(text) {
        client.frames.push(JSON.parse(text));
        return true;
      },
      close(code) {
        client.closed = code;
      },
    }, { slot });
    client.send = (message) =>
      tracker.receive(client.connection, JSON.stringify(message));
    client.last = () => client.frames.at(-1);
    return client;
  };
  return { clock, tracker, open };
}

function announce(
  peerId: string,
  extra: Record<string, unknown> = {},
  infoHash = HASH,
) {
  return { action: "announce", info_hash: infoHash, peer_id: peerId, ...extra };
}

function offer(offerId: string) {
  return [{ offer_id: offerId, offer: { type: "offer", sdp: "v=0" } }];
}

function answer(from: string, to: string, offerId: string) {
  return announce(from, {
    to_peer_id: to,
    offer_id: offerId,
    answer: { type: "answer", sdp: "v=0" },
  });
}

Deno.test("the per-connection rate limit drops a flood, says so once, then closes with 1008", () => {
  const { clock, tracker, open } = setup({
    messagesPerSecond: 2,
    messageBurst: 3,
  });
  const flooder = open();
  for (let i = 0; i < 3; i++) flooder.send({ action: "scrape" });
  assert.equal(flooder.frames.length, 3, "the burst is served");
  flooder.send({ action: "scrape" });
  assert.match(
    String(flooder.last()?.["failure reason"]),
    /Rate limit exceeded: at most 2 messages per second/,
  );
  flooder.send({ action: "scrape" });
  assert.equal(
    flooder.frames.length,
    4,
    "one failure per flood, not one per message",
  );
  clock.tick(1000);
  flooder.send({ action: "scrape" });
  assert.equal(
    flooder.last()?.action,
    "scrape",
    "the budget refills with time",
  );
  for (let i = 0; i < 10; i++) flooder.send({ action: "scrape" });
  assert.equal(flooder.closed, 1008);
  assert.ok(tracker.counters.rateLimited >= 5);
});

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

Deno.test("a peer_id belongs to the socket that announced it first", () => {
  const { tracker, open } = setup();
  const alice = open();
  const mallory = open();
  alice.send(announce(id20("alice")));
  mallory.send(announce(id20("alice")));
  assert.match(
    String(mallory.last()?.["failure reason"]),
    /peer_id .* is in use by another connection/,
  );
  mallory.send(answer(id20("alice"), id20("bob"), id20("o1")));
  assert.match(
    String(mallory.last()?.["failure reason"]),
    /Announce before answering/,
  );
  mallory.send(announce(id20("alice"), { event: "stopped" }));
  assert.equal(
    tracker.webtorrent.swarms.get(HASH)?.get(id20("alice"))?.connection,
    alice.connection,
  );
  assert.equal(tracker.counters.refused.peerIdTaken, 1);
});

Deno.test("answers reach only the peer whose offer was actually delivered", async (t) => {
  const { clock, tracker, open } = setup();
  const alice = open();
  const bob = open();
  const carol = open();
  alice.send(announce(id20("alice")));
  bob.send(announce(id20("bob")));
  carol.send(
    announce(id20("carol"), { offers: offer(id20("o-carol")), numwant: 1 }),
  );
  // random() = 0.5 picks one of alice/bob for carol's offer; find who got it.
  const receiver = [alice, bob].find((c) =>
    c.frames.some((f) => f.offer_id === id20("o-carol"))
  )!;
  const other = receiver === alice ? bob : alice;
  const receiverId = receiver === alice ? id20("alice") : id20("bob");
  const otherId = receiver === alice ? id20("bob") : id20("alice");
  const carolFrames = () => carol.frames.filter((f) => "answer" in f).length;

  await t.step("a peer that was not sent the offer cannot answer it", () => {
    other.send(answer(otherId, id20("carol"), id20("o-carol")));
    assert.match(
      String(other.last()?.["failure reason"]),
      /Could not find the offer/,
    );
    assert.equal(carolFrames(), 0);
  });
  await t.step(
    "the receiver cannot answer a different offer id or to someone else",
    () => {
      receiver.send(answer(receiverId, id20("carol"), id20("o-fake")));
      receiver.send(answer(receiverId, otherId, id20("o-carol")));
      assert.equal(carolFrames(), 0);
      assert.equal(other.frames.filter((f) => "answer" in f).length, 0);
    },
  );
  await t.step("the real answer goes through, once", () => {
    receiver.send(answer(receiverId, id20("carol"), id20("o-carol")));
    assert.equal(carolFrames(), 1);
    receiver.send(answer(receiverId, id20("carol"), id20("o-carol")));
    assert.equal(carolFrames(), 1, "an offer is answered once");
  });
  await t.step("an answer after the offer expired is refused", () => {
    carol.send(
      announce(id20("carol"), { offers: offer(id20("o-2")), numwant: 1 }),
    );
    const late = [alice, bob].find((c) =>
      c.frames.some((f) => f.offer_id === id20("o-2"))
    )!;
    clock.tick(61_000);
    late.send(
      answer(
        late === alice ? id20("alice") : id20("bob"),
        id20("carol"),
        id20("o-2"),
      ),
    );
    assert.match(String(late.last()?.["failure reason"]), /may have expired/);
  });
  assert.equal(tracker.counters.refused.unknownOffer, 5);
});

Deno.test("the per-address cap holds slots from admission to close", async (t) => {
  await t.step("a bounded number of connections per address", () => {
    const { tracker, open } = setup({ maxConnectionsPerIp: 2 });
    const a = open("192.0.2.1");
    open("192.0.2.1");
    assert.equal(tracker.reserve("192.0.2.1"), undefined);
    assert.ok(tracker.reserve("192.0.2.2"));
    tracker.disconnect(a.connection);
    assert.ok(tracker.reserve("192.0.2.1"));
    assert.equal(tracker.counters.refused.connectionsPerIp, 1);
  });
  await t.step("a slot is taken at admission, before any socket opens", () => {
    const { tracker } = setup({ maxConnectionsPerIp: 3 });
    const slots = Array.from({ length: 5 }, () => tracker.reserve("192.0.2.9"));
    assert.equal(slots.filter(Boolean).length, 3);
    slots[0]!.release();
    slots[0]!.release(); // twice gives back one place, not two
    assert.ok(tracker.reserve("192.0.2.9"));
    assert.equal(tracker.reserve("192.0.2.9"), undefined);
  });
  await t.step("IPv6 addresses count by their /64", () => {
    const { tracker } = setup({ maxConnectionsPerIp: 2 });
    assert.ok(tracker.reserve("2001:db8:1:2::1"));
    assert.ok(tracker.reserve("2001:db8:1:2::2"));
    assert.equal(
      tracker.reserve("2001:db8:1:2:ffff::3"),
      undefined,
      "rotating addresses inside one /64 does not multiply the cap",
    );
    assert.ok(
      tracker.reserve("2001:db8:1:3::1"),
      "the next /64 is another subscriber",
    );
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
