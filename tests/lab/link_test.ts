import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import {
  DATAGRAM_OVERHEAD,
  Link,
  type LinkShape,
} from "../../scripts/lab/link.ts";

/** A link on a fake clock; `randoms` feeds its dice in turn (0.99 once they run out). */
function fakeLink(shape: LinkShape, randoms: number[] = []) {
  const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout"] });
  const link = new Link(shape, () => clock.now, () => randoms.shift() ?? 0.99);
  return { clock, link };
}

Deno.test("a link delivers datagrams at its rate, after its delay", () => {
  const { clock, link } = fakeLink({
    rateBps: 1e6,
    delayMs: 50,
    queueMs: 10_000,
  });
  try {
    const arrivals: number[] = [];
    const payload = 1250 - DATAGRAM_OVERHEAD; // 10 ms of a 1 Mbit/s link
    for (let i = 0; i < 100; i++) {
      assert.ok(link.sendDatagram(payload, () => arrivals.push(clock.now)));
    }
    clock.runAll();
    assert.equal(arrivals.length, 100);
    assert.ok(Math.abs(arrivals[0]! - 60) <= 1, `first at ${arrivals[0]}`);
    assert.ok(Math.abs(arrivals[99]! - 1050) <= 1, `last at ${arrivals[99]}`);
    assert.equal(link.counters.bytes, 100 * payload);
  } finally {
    clock.uninstall();
  }
});

Deno.test("jitter moves the delay within its bounds and never reorders", () => {
  const dice = Array.from({ length: 400 }, (_, i) => (i * 0.37) % 1);
  const { clock, link } = fakeLink(
    { rateBps: 100e6, delayMs: 30, jitterMs: 10, queueMs: 10_000 },
    dice,
  );
  try {
    const seen: Array<{ sent: number; arrived: number; order: number }> = [];
    for (let i = 0; i < 200; i++) {
      const sent = clock.now;
      link.sendStream(
        100,
        () => seen.push({ sent, arrived: clock.now, order: i }),
        () => {},
      );
      clock.tick(7);
    }
    clock.runAll();
    assert.deepEqual(seen.map((s) => s.order), [...Array(200).keys()]);
    const delays = seen.map((s) => s.arrived - s.sent);
    assert.ok(
      Math.min(...delays) >= 20 - 1,
      `min delay ${Math.min(...delays)}`,
    );
    assert.ok(
      Math.max(...delays) <= 40 + 8,
      `max delay ${Math.max(...delays)}`,
    );
    assert.ok(new Set(delays.map(Math.round)).size > 5, "the delay varies");
  } finally {
    clock.uninstall();
  }
});

Deno.test("random loss drops datagrams, never stream bytes", () => {
  const { clock, link } = fakeLink(
    { rateBps: 10e6, delayMs: 5, loss: 0.5 },
    [0.1, 0.9, 0.2, 0.8],
  );
  try {
    let delivered = 0;
    const sent = [0, 1, 2, 3].map(() =>
      link.sendDatagram(500, () => delivered++)
    );
    assert.deepEqual(sent, [false, true, false, true]);
    link.sendStream(500, () => delivered++, () => {});
    clock.runAll();
    assert.equal(delivered, 3);
    assert.equal(link.counters.randomDrops, 2);
  } finally {
    clock.uninstall();
  }
});

Deno.test("a full buffer drops datagrams and pauses streams until it drained", () => {
  const { clock, link } = fakeLink({ rateBps: 1e6, delayMs: 10, queueMs: 100 });
  try {
    // 1 Mbit/s: 100 ms of buffer is 12.5 kB.
    let resumed = 0;
    let accepted = 0;
    while (link.sendStream(1460, () => {}, () => resumed++)) accepted++;
    assert.ok(accepted >= 7 && accepted <= 9, `accepted ${accepted} pieces`);
    assert.ok(link.backlogMs() > 100);
    assert.equal(link.sendDatagram(100, () => {}), false);
    assert.equal(link.counters.overflowDrops, 1);
    clock.tick(20);
    assert.equal(resumed, 0, "still too full");
    clock.tick(60);
    assert.equal(resumed, 1, "resumed once drained to three quarters");
    assert.ok(link.backlogMs() <= 75);
    assert.ok(link.sendDatagram(100, () => {}));
  } finally {
    clock.uninstall();
  }
});

Deno.test("a link refuses a shape it cannot run", () => {
  assert.throws(
    () => new Link({ rateBps: 0, delayMs: 10 }),
    /Invalid link: rate 0/,
  );
  assert.throws(() => new Link({ rateBps: 1e6, delayMs: -1 }), /delay -1/);
  assert.throws(
    () =>
      new Link({ rateBps: 1e6, delayMs: 10, dipMs: 5000, dipEveryMs: 4000 }),
    /dips of 5000 ms every 4000 ms/,
  );
});

Deno.test("a dip stops the line: stream bytes wait for its end, datagrams beyond the buffer are dropped", () => {
  const { clock, link } = fakeLink({
    rateBps: 1e6,
    delayMs: 10,
    dipMs: 1000,
    dipEveryMs: 3000,
    dipPhaseMs: 500,
  });
  try {
    const arrivals: number[] = [];
    // Before the first dip: as usual (10 ms on the wire, 10 ms of delay).
    link.sendStream(1250 - 40, () => arrivals.push(clock.now), () => {});
    clock.tick(600); // inside the dip (500–1500 ms)
    assert.ok(
      link.sendDatagram(100, () => arrivals.push(clock.now)),
      "the first one waits in the buffer",
    );
    assert.equal(
      link.sendDatagram(100, () => arrivals.push(clock.now)),
      false,
      "the buffer (200 ms) is full of the dip",
    );
    link.sendStream(1250 - 40, () => arrivals.push(clock.now), () => {});
    clock.runAll();
    assert.equal(arrivals.length, 3);
    assert.ok(Math.abs(arrivals[0]! - 20) <= 1, `first at ${arrivals[0]}`);
    // After the dip (1500 ms): on the wire, then the delay.
    assert.ok(Math.abs(arrivals[1]! - 1511) <= 1, `datagram at ${arrivals[1]}`);
    assert.ok(Math.abs(arrivals[2]! - 1521) <= 1, `stream at ${arrivals[2]}`);
    assert.equal(link.counters.overflowDrops, 1);
    // The next dip (3500–4500 ms) again, on the same schedule.
    clock.tick(3600 - clock.now);
    link.sendStream(1250 - 40, () => arrivals.push(clock.now), () => {});
    clock.runAll();
    assert.ok(Math.abs(arrivals[3]! - 4520) <= 1, `fourth at ${arrivals[3]}`);
  } finally {
    clock.uninstall();
  }
});
