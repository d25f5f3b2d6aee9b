import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { Aggregator } from "../../analytics/aggregator.ts";
import { parseReport, type PlayerReport } from "../../analytics/report.ts";

function report(
  sessionId: string,
  totals: Partial<PlayerReport["totals"]>,
  extra: Partial<PlayerReport> = {},
): PlayerReport {
  return {
    sessionId,
    channel: "demo",
    live: false,
    p2pStatus: "active",
    totals: {
      httpBytes: 0,
      p2pBytes: 0,
      uploadedBytes: 0,
      stalls: 0,
      ...totals,
    },
    peers: 1,
    ttffMs: null,
    final: false,
    ...extra,
  };
}

function setup() {
  const clock = FakeTimers.createClock(Date.UTC(2026, 10, 24, 12, 0, 0));
  const aggregator = new Aggregator({
    clock: () => clock.now,
    maxBytesPerSecond: 1_000_000,
  });
  return { clock, aggregator };
}

Deno.test("parseReport() validates shape and ranges, naming the field", () => {
  const good = {
    sessionId: "3f1c2a9e-0000-4000-8000-000000000001",
    channel: "demo",
    live: true,
    p2pStatus: "active",
    totals: { httpBytes: 10, p2pBytes: 20, uploadedBytes: 5, stalls: 0 },
    peers: 2,
    ttffMs: 640,
  };
  assert.equal(parseReport(good).totals.p2pBytes, 20);
  assert.equal(parseReport(good).final, false);
  const bad: Array<[unknown, RegExp]> = [
    [null, /expected a JSON object/],
    [{ ...good, sessionId: "x" }, /Invalid sessionId/],
    [{ ...good, sessionId: "<script>alert(1)</script>" }, /Invalid sessionId/],
    [{ ...good, channel: "../etc" }, /Invalid channel/],
    [{ ...good, p2pStatus: "hacked" }, /Invalid p2pStatus/],
    [
      { ...good, totals: { ...good.totals, httpBytes: -1 } },
      /Invalid totals.httpBytes: expected a non-negative number/,
    ],
    [
      { ...good, totals: { ...good.totals, p2pBytes: "9" } },
      /Invalid totals.p2pBytes/,
    ],
    [
      { ...good, totals: { ...good.totals, uploadedBytes: 1e300 } },
      /Invalid totals.uploadedBytes: 1e\+300 is more than/,
    ],
    [{ ...good, totals: null }, /Invalid totals/],
    [{ ...good, peers: 1e9 }, /Invalid peers/],
    [{ ...good, ttffMs: -5 }, /Invalid ttffMs/],
  ];
  for (const [body, pattern] of bad) {
    assert.throws(() => parseReport(body), pattern);
  }
});

Deno.test("Aggregator counts differences of running totals: lost or repeated reports never double count", () => {
  const { clock, aggregator } = setup();
  aggregator.ingest(report("session-a", { httpBytes: 1000, p2pBytes: 0 }));
  clock.tick(10_000);
  aggregator.ingest(report("session-a", { httpBytes: 1500, p2pBytes: 2000 }));
  clock.tick(10_000);
  aggregator.ingest(report("session-a", { httpBytes: 1500, p2pBytes: 2000 })); // repeated
  clock.tick(20_000); // one report lost in between
  aggregator.ingest(
    report("session-a", {
      httpBytes: 2000,
      p2pBytes: 6000,
      uploadedBytes: 700,
    }),
  );
  const { httpBytes, p2pBytes, uploadedBytes, offload } = aggregator.snapshot();
  assert.deepEqual([httpBytes, p2pBytes, uploadedBytes], [2000, 6000, 700]);
  assert.equal(offload, 0.75);
});

Deno.test("Aggregator clamps impossible values and refuses floods", async (t) => {
  await t.step(
    "more bytes than a connection could move in the interval are scaled down",
    () => {
      const { clock, aggregator } = setup();
      aggregator.ingest(report("liar", {}));
      clock.tick(10_000); // 10 s at 1 MB/s: at most 10 MB
      const result = aggregator.ingest(
        report("liar", { httpBytes: 1e12, p2pBytes: 3e12 }),
      );
      assert.deepEqual(result, { accepted: true, clamped: true });
      const { httpBytes, p2pBytes } = aggregator.snapshot();
      assert.equal(httpBytes + p2pBytes, 10_000_000);
      assert.equal(
        p2pBytes / (httpBytes + p2pBytes),
        0.75,
        "the ratio it claimed, not its volume",
      );
    },
  );
  await t.step("a counter that goes backwards adds nothing", () => {
    const { clock, aggregator } = setup();
    aggregator.ingest(report("s1", { httpBytes: 5000 }));
    clock.tick(10_000);
    aggregator.ingest(report("s1", { httpBytes: 100 }));
    assert.equal(aggregator.snapshot().httpBytes, 5000);
  });
  await t.step("reports closer than 2 s apart are refused", () => {
    const { clock, aggregator } = setup();
    aggregator.ingest(report("eager", { httpBytes: 10 }));
    clock.tick(500);
    const second = aggregator.ingest(report("eager", { httpBytes: 20 }));
    assert.equal(second.accepted, false);
    assert.equal(aggregator.snapshot().httpBytes, 10);
  });
  await t.step(
    "one hostile session moves a 20-viewer channel's offload by under 10 points",
    () => {
      const { clock, aggregator } = setup();
      for (let i = 0; i < 20; i++) aggregator.ingest(report(`honest-${i}`, {}));
      aggregator.ingest(report("hostile", {}));
      clock.tick(10_000);
      for (let i = 0; i < 20; i++) {
        aggregator.ingest(
          report(`honest-${i}`, { httpBytes: 1_000_000, p2pBytes: 3_000_000 }),
        );
      }
      const honest = aggregator.snapshot().offload;
      aggregator.ingest(report("hostile", { httpBytes: 1e13, p2pBytes: 0 }));
      const after = aggregator.snapshot().offload;
      assert.equal(honest, 0.75);
      // Its claim is capped at what one connection could move in 10 s.
      assert.ok(honest - after < 0.1, `offload ${honest} -> ${after}`);
    },
  );
});

Deno.test("Aggregator: viewers now, time to first frame, stalls, per-minute history (fake clock)", () => {
  const { clock, aggregator } = setup();
  aggregator.ingest(report("a", { httpBytes: 100 }, { ttffMs: 400 }));
  aggregator.ingest(report("b", { p2pBytes: 300, stalls: 1 }, { ttffMs: 800 }));
  aggregator.ingest(report("c", {}, { channel: "ao-vivo", live: true }));
  let snapshot = aggregator.snapshot();
  assert.equal(snapshot.viewers, 3);
  assert.equal(snapshot.channels.demo?.viewers, 2);
  assert.equal(snapshot.avgTtffMs, 600);
  assert.equal(snapshot.stalls, 1);
  clock.tick(61_000);
  aggregator.ingest(report("a", { httpBytes: 200 }, { ttffMs: 400 }));
  aggregator.ingest(report("b", { p2pBytes: 300, stalls: 1 }, { final: true }));
  snapshot = aggregator.snapshot();
  assert.equal(snapshot.channels.demo?.viewers, 1, "b said goodbye");
  assert.equal(
    snapshot.channels["ao-vivo"]?.viewers,
    0,
    "c went silent for over 30 s",
  );
  assert.equal(snapshot.avgTtffMs, 600, "a session's first frame counts once");
  const history = aggregator.history("demo");
  assert.equal(history.length, 2);
  assert.deepEqual(history.map((b) => [b.viewers, b.httpBytes, b.p2pBytes]), [[
    2,
    100,
    300,
  ], [2, 100, 0]]);
  assert.equal(history[0]!.start, "2026-11-24T12:00:00.000Z");
});

Deno.test("Aggregator memory is bounded: old sessions and buckets go", () => {
  const clock = FakeTimers.createClock(0);
  const aggregator = new Aggregator({
    clock: () => clock.now,
    maxSessions: 100,
    bucketCount: 5,
  });
  for (let i = 0; i < 1000; i++) {
    aggregator.ingest(report(`session-${i}`, { httpBytes: 1 }));
  }
  assert.ok(aggregator.viewers().get("demo")! <= 100);
  for (let minute = 0; minute < 20; minute++) {
    clock.tick(60_000);
    aggregator.ingest(report("steady", { httpBytes: minute + 2 }));
  }
  assert.equal(aggregator.history("demo").length, 5);
});
