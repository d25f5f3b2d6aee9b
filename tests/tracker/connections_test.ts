import assert from "node:assert/strict";
import { setup } from "../helpers/tracker.ts";

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
