import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import {
  PeerIdTakenError,
  Registry,
  type RegistryEvent,
} from "../../tracker/registry.ts";
import { binaryToHex, hexToBinary } from "../../utils/hex.ts";
import type { PeerConnection } from "../../tracker/swarm.ts";

function connection(id: number): PeerConnection {
  return { id, send: () => true };
}

function setup(timeoutMs = 60_000) {
  const clock = FakeTimers.createClock(1_700_000_000_000);
  const events: string[] = [];
  const registry = new Registry({
    peerTimeoutMs: timeoutMs,
    clock: () => clock.now,
    onEvent: (event: RegistryEvent) => {
      events.push(
        event.type === "peer-left"
          ? `${event.type}:${event.peer.id}:${event.reason}`
          : "peer" in event
          ? `${event.type}:${event.peer.id}`
          : `${event.type}:${event.swarm.infoHash}`,
      );
    },
  });
  return { clock, events, registry };
}

Deno.test("Registry keeps swarms isolated and one socket in several swarms", () => {
  const { registry, events } = setup();
  const a = connection(1);
  const b = connection(2);
  registry.announce(a, "main", "alice");
  registry.announce(a, "audio", "alice-2");
  registry.announce(b, "main", "bob");
  assert.equal(registry.swarms.size, 2);
  assert.equal(registry.peerCount, 3);
  assert.deepEqual([...registry.peersOf(a)!.keys()], ["main", "audio"]);
  assert.equal(registry.swarms.get("audio")?.get("bob"), undefined);
  assert.deepEqual(events, [
    "swarm-created:main",
    "peer-joined:alice",
    "swarm-created:audio",
    "peer-joined:alice-2",
    "peer-joined:bob",
  ]);
});

Deno.test("Registry.announce() refreshes, replaces and refuses hijacks", async (t) => {
  const { registry, clock, events } = setup();
  const a = connection(1);
  const b = connection(2);
  const first = registry.announce(a, "main", "alice");
  assert.equal(first.joined, true);

  await t.step("a second announce refreshes last-seen", () => {
    clock.tick(5000);
    const again = registry.announce(a, "main", "alice");
    assert.equal(again.joined, false);
    assert.equal(again.peer.lastSeen, clock.now);
  });
  await t.step("a new peer_id on the same socket replaces the old one", () => {
    registry.announce(a, "main", "alice-new");
    assert.equal(registry.swarms.get("main")?.size, 1);
    assert.equal(registry.peerOf(a, "main")?.id, "alice-new");
    assert.ok(events.includes("peer-left:alice:replaced"));
    assert.ok(
      !events.includes("swarm-removed:main"),
      "the swarm survives a replacement",
    );
  });
  await t.step("another socket cannot take a peer_id", () => {
    assert.throws(
      () => registry.announce(b, "main", "alice-new"),
      PeerIdTakenError,
    );
    assert.equal(registry.peerOf(a, "main")?.id, "alice-new");
  });
});

Deno.test("Registry drops silent peers after the timeout (fake clock)", async (t) => {
  const { registry, clock, events } = setup(60_000);
  const a = connection(1);
  const b = connection(2);
  registry.announce(a, "main", "alice");
  clock.tick(30_000);
  registry.announce(b, "main", "bob");

  await t.step("nobody is dropped before 60 s of silence", () => {
    clock.tick(29_999);
    assert.equal(registry.sweep(), 0);
  });
  await t.step("alice, silent for 60 s, is dropped; bob stays", () => {
    clock.tick(1);
    assert.equal(registry.sweep(), 1);
    assert.deepEqual(registry.swarms.get("main")?.peers().map((p) => p.id), [
      "bob",
    ]);
    assert.ok(events.includes("peer-left:alice:timeout"));
    assert.equal(registry.peersOf(a), undefined);
  });
  await t.step("announcing keeps a peer alive", () => {
    clock.tick(50_000);
    registry.announce(b, "main", "bob");
    clock.tick(50_000);
    assert.equal(registry.sweep(), 0);
  });
  await t.step("the last peer gone removes the swarm", () => {
    clock.tick(10_000);
    assert.equal(registry.sweep(), 1);
    assert.equal(registry.swarms.size, 0);
    assert.equal(registry.peerCount, 0);
    assert.equal(events.at(-1), "swarm-removed:main");
  });
});

Deno.test("Registry.removeConnection() removes every peer of a socket at once", () => {
  const { registry } = setup();
  const a = connection(1);
  const b = connection(2);
  for (const hash of ["s1", "s2", "s3"]) {
    registry.announce(a, hash, `a-${hash}`);
  }
  registry.announce(b, "s1", "b");
  assert.equal(registry.removeConnection(a), 3);
  assert.deepEqual([...registry.swarms.keys()], ["s1"]);
  assert.equal(registry.peerCount, 1);
  assert.equal(registry.removeConnection(a), 0);
});

Deno.test("binaryToHex() and hexToBinary() convert ids both ways", () => {
  assert.equal(binaryToHex("\u0000\u00ff-P"), "00ff2d50");
  assert.equal(hexToBinary("00ff2d50"), "\u0000\u00ff-P");
});
