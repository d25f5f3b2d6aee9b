import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { Aggregator } from "../../analytics/aggregator.ts";
import { parseReport, type PlayerReport } from "../../analytics/report.ts";
import type { SessionClaims } from "../../analytics/session_token.ts";

const START = Date.UTC(2026, 10, 24, 12, 0, 0);

function report(
  totals: Partial<PlayerReport["totals"]>,
  extra: Partial<PlayerReport> = {},
): PlayerReport {
  return {
    token: "t",
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

/** A session whose page was served at `issuedAt`. */
function session(
  id: string,
  issuedAt = START,
  channel = "demo",
): SessionClaims {
  return { sessionId: id, channel, issuedAt };
}

function setup(options: { maxSessionsPerAddress?: number } = {}) {
  const clock = FakeTimers.createClock(START);
  const aggregator = new Aggregator({
    clock: () => clock.now,
    maxBytesPerSecond: 1_000_000,
    ...options,
  });
  return { clock, aggregator };
}

Deno.test("parseReport() validates shape and ranges, naming the field", () => {
  const good = {
    token: "v1.abc",
    channel: "demo",
    live: true,
    p2pStatus: "active",
    totals: { httpBytes: 10, p2pBytes: 20, uploadedBytes: 5, stalls: 0 },
    peers: 2,
    ttffMs: 640,
  };
  assert.equal(parseReport(good).totals.p2pBytes, 20);
  assert.equal(parseReport(good).final, false);
  const unknown = parseReport({
    ...good,
    p2pStatus: "native",
    totals: { httpBytes: null, p2pBytes: null, uploadedBytes: null, stalls: 0 },
  });
  assert.equal(unknown.totals.httpBytes, null, "unknown bytes stay unknown");
  const bad: Array<[unknown, RegExp]> = [
    [null, /expected a JSON object/],
    [{ ...good, token: "" }, /Invalid token/],
    [{ ...good, token: "x".repeat(201) }, /Invalid token/],
    [{ ...good, channel: "../etc" }, /Invalid channel/],
    [{ ...good, channel: "a--b" }, /Invalid channel/],
    [{ ...good, p2pStatus: "hacked" }, /Invalid p2pStatus/],
    [
      { ...good, totals: { ...good.totals, httpBytes: -1 } },
      /Invalid totals.httpBytes: expected a non-negative number/,
    ],
    [
      { ...good, totals: { ...good.totals, httpBytes: null } },
      /bytes are all known or all null/,
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

Deno.test("Aggregator counts differences of running totals: lost or repeated reports never double count", async () => {
  const { clock, aggregator } = setup();
  const a = session("session-a");
  clock.tick(10_000);
  aggregator.ingest(report({ httpBytes: 1000 }), a, "10.0.0.1");
  clock.tick(10_000);
  aggregator.ingest(report({ httpBytes: 1500, p2pBytes: 2000 }), a, "10.0.0.1");
  clock.tick(10_000);
  aggregator.ingest(report({ httpBytes: 1500, p2pBytes: 2000 }), a, "10.0.0.1"); // repeated
  clock.tick(20_000); // one report lost in between
  aggregator.ingest(
    report({ httpBytes: 2000, p2pBytes: 6000, uploadedBytes: 700 }),
    a,
    "10.0.0.1",
  );
  const { httpBytes, p2pBytes, uploadedBytes, offload } = await aggregator
    .snapshot();
  assert.deepEqual([httpBytes, p2pBytes, uploadedBytes], [2000, 6000, 700]);
  assert.equal(offload, 0.75);
});

Deno.test("claims are bounded by the time since the page was served", async (t) => {
  await t.step(
    "a first report a second after the page loaded cannot claim an hour of bytes",
    async () => {
      const { clock, aggregator } = setup();
      const liar = session("liar");
      clock.tick(1000); // 1 s at 1 MB/s: at most 1 MB
      const result = aggregator.ingest(
        report({ httpBytes: 1e12, p2pBytes: 3e12, uploadedBytes: 1e12 }),
        liar,
        "10.0.0.9",
      );
      assert.deepEqual(result, { accepted: true, clamped: true });
      const { httpBytes, p2pBytes, uploadedBytes } = await aggregator
        .snapshot();
      assert.equal(httpBytes + p2pBytes, 1_000_000);
      assert.equal(p2pBytes / (httpBytes + p2pBytes), 0.75);
      assert.equal(uploadedBytes, 4_000_000, "uploads: four times the rate");
    },
  );
  await t.step(
    "an honest burst (prefetching ahead) is owed, then credited in full as time passes",
    async () => {
      const { clock, aggregator } = setup();
      const fast = session("prefetcher");
      clock.tick(2000);
      aggregator.ingest(report({ p2pBytes: 5_000_000 }), fast, "10.0.0.2");
      assert.equal((await aggregator.snapshot()).p2pBytes, 2_000_000);
      clock.tick(10_000);
      aggregator.ingest(report({ p2pBytes: 5_000_000 }), fast, "10.0.0.2");
      assert.equal((await aggregator.snapshot()).p2pBytes, 5_000_000);
    },
  );
  await t.step(
    "time to first frame and stalls cannot exceed what the session's age allows",
    async () => {
      const { clock, aggregator } = setup();
      clock.tick(3000);
      aggregator.ingest(
        report({ stalls: 500 }, { ttffMs: 600_000 }),
        session("slow-liar"),
        "10.0.0.3",
      );
      const { avgTtffMs, stalls } = await aggregator.snapshot();
      assert.equal(
        avgTtffMs,
        3000,
        "a first frame no later than the page's age",
      );
      assert.equal(stalls, 1, "one stall per two seconds at most");
    },
  );
  await t.step("a counter that goes backwards adds nothing", async () => {
    const { clock, aggregator } = setup();
    const s1 = session("s1");
    clock.tick(10_000);
    aggregator.ingest(report({ httpBytes: 5000 }), s1, "10.0.0.4");
    clock.tick(10_000);
    aggregator.ingest(report({ httpBytes: 100 }), s1, "10.0.0.4");
    assert.equal((await aggregator.snapshot()).httpBytes, 5000);
  });
});

Deno.test("sessions: one report per 2 s, one goodbye, a few sessions per address", async (t) => {
  await t.step("reports closer than 2 s apart are refused", async () => {
    const { clock, aggregator } = setup();
    const eager = session("eager");
    clock.tick(5000);
    aggregator.ingest(report({ httpBytes: 10 }), eager, "10.0.0.5");
    clock.tick(500);
    const second = aggregator.ingest(
      report({ httpBytes: 20 }),
      eager,
      "10.0.0.5",
    );
    assert.deepEqual(
      [second.accepted, !second.accepted && second.status],
      [false, 429],
    );
    assert.equal((await aggregator.snapshot()).httpBytes, 10);
  });
  await t.step(
    "final is accepted once, even early; the session then refuses everything",
    async () => {
      const { clock, aggregator } = setup();
      const leaving = session("leaving");
      clock.tick(5000);
      aggregator.ingest(report({ httpBytes: 10 }), leaving, "10.0.0.6");
      clock.tick(100);
      const goodbye = aggregator.ingest(
        report({ httpBytes: 20 }, { final: true }),
        leaving,
        "10.0.0.6",
      );
      assert.equal(goodbye.accepted, true);
      for (let i = 0; i < 10; i++) {
        const again = aggregator.ingest(
          report({ httpBytes: 30 + i }, { final: true }),
          leaving,
          "10.0.0.6",
        );
        assert.deepEqual(
          [again.accepted, !again.accepted && again.status],
          [false, 409],
        );
      }
      assert.equal((await aggregator.snapshot()).httpBytes, 20);
    },
  );
  await t.step(
    "an address has at most N sessions counted at once",
    async () => {
      const { clock, aggregator } = setup({ maxSessionsPerAddress: 2 });
      clock.tick(5000);
      const results = [1, 2, 3].map((i) =>
        aggregator.ingest(report({}), session(`home-${i}`), "192.0.2.7")
      );
      assert.deepEqual(results.map((r) => r.accepted), [true, true, false]);
      assert.match(
        (results[2] as { reason: string }).reason,
        /At most 2 viewers from one address/,
      );
      assert.equal(
        aggregator.ingest(report({}), session("next-door"), "192.0.2.8")
          .accepted,
        true,
        "another address is not affected",
      );
      clock.tick(31_000); // the first two go quiet: the third may count now
      assert.equal(
        aggregator.ingest(report({}), session("home-3"), "192.0.2.7").accepted,
        true,
      );
      assert.equal(
        (await aggregator.snapshot()).viewers,
        1,
        "only home-3 still reports",
      );
    },
  );
});

Deno.test("one attacking address moves a 20-viewer channel's offload by a few points at most", async () => {
  const { clock, aggregator } = setup();
  // Twenty honest viewers, each on its own address, 1 MB/s budget each.
  clock.tick(10_000);
  for (let i = 0; i < 20; i++) {
    aggregator.ingest(
      report({ httpBytes: 1_000_000, p2pBytes: 3_000_000 }),
      session(`honest-${i}`),
      `198.51.100.${i}`,
    );
  }
  const honest = await aggregator.snapshot();
  assert.equal(honest.offload, 0.75);
  // The attacker loads pages as fast as allowed and claims the impossible from each.
  for (let i = 0; i < 50; i++) {
    aggregator.ingest(
      report({ httpBytes: 0, p2pBytes: 1e13 }, { ttffMs: 600_000 }),
      session(`attack-${i}`, clock.now - 1000),
      "203.0.113.66",
    );
  }
  const after = await aggregator.snapshot();
  assert.ok(
    after.offload - honest.offload < 0.05,
    `offload ${honest.offload} -> ${after.offload}`,
  );
  assert.ok(after.viewers <= 24, `viewers ${after.viewers}: 20 + 4 at most`);
  assert.ok(
    (after.avgTtffMs ?? 0) <= 1000,
    `mean ttff ${after.avgTtffMs} ms: the attacker's claims are capped at 1 s`,
  );
});

Deno.test("viewers by P2P status; native HLS viewers count, their unknown bytes do not", async () => {
  const { clock, aggregator } = setup();
  clock.tick(10_000);
  aggregator.ingest(
    report({ httpBytes: 1000, p2pBytes: 3000 }),
    session("a"),
    "10.1.0.1",
  );
  aggregator.ingest(
    report({ httpBytes: 2000 }, { p2pStatus: "operator" }),
    session("b"),
    "10.1.0.2",
  );
  aggregator.ingest(
    report({ httpBytes: null, p2pBytes: null, uploadedBytes: null }, {
      p2pStatus: "native",
    }),
    session("c"),
    "10.1.0.3",
  );
  aggregator.ingest(
    report({ httpBytes: 500 }, { p2pStatus: "viewer" }),
    session("d"),
    "10.1.0.4",
  );
  const snapshot = await aggregator.snapshot();
  assert.equal(snapshot.viewers, 4);
  assert.deepEqual(snapshot.noP2P, {
    operator: 1,
    viewer: 1,
    webrtc: 0,
    native: 1,
    tracker: 0,
    turn: 0,
  });
  assert.equal(snapshot.httpBytes, 3500);
  assert.equal(
    snapshot.offload,
    3000 / 6500,
    "over viewers whose bytes are known",
  );
});

Deno.test("viewers with P2P that do not upload are counted by reason; a bad reason is refused", async () => {
  const { clock, aggregator } = setup();
  clock.tick(10_000);
  const ingest = (id: string, extra: Partial<PlayerReport>) =>
    aggregator.ingest(
      report({ httpBytes: 100 }, extra),
      session(id),
      `10.2.0.${id.length}${id.charCodeAt(0)}`,
    );
  ingest("a", { upload: "cellular" });
  ingest("b", { upload: "cellular" });
  ingest("c", { upload: "save-data" });
  ingest("d", { upload: "unmetered" });
  ingest("e", { upload: "hidden", p2pStatus: "viewer" }); // no P2P at all: not counted here
  const snapshot = await aggregator.snapshot();
  assert.equal(snapshot.viewers, 5);
  assert.deepEqual(snapshot.noUpload, {
    cellular: 2,
    "save-data": 1,
    battery: 0,
    hidden: 0,
  });
  assert.deepEqual(snapshot.channels.demo?.noUpload.cellular, 2);
  assert.throws(
    () => parseReport({ ...report({}), upload: "because" }),
    /Invalid upload: expected one of/,
  );
  assert.equal(
    parseReport({ ...report({}), upload: "battery" }).upload,
    "battery",
  );
});

Deno.test("Aggregator: viewers now, time to first frame, stalls, per-minute history (fake clock)", async () => {
  const { clock, aggregator } = setup();
  const [a, b, c] = [
    session("a"),
    session("b"),
    session("c", START, "ao-vivo"),
  ];
  clock.tick(5000);
  aggregator.ingest(report({ httpBytes: 100 }, { ttffMs: 400 }), a, "10.2.0.1");
  aggregator.ingest(
    report({ p2pBytes: 300, stalls: 1 }, { ttffMs: 800 }),
    b,
    "10.2.0.2",
  );
  aggregator.ingest(
    report({}, { channel: "ao-vivo", live: true }),
    c,
    "10.2.0.3",
  );
  let snapshot = await aggregator.snapshot();
  assert.equal(snapshot.viewers, 3);
  assert.equal(snapshot.channels.demo?.viewers, 2);
  assert.equal(snapshot.avgTtffMs, 600);
  assert.equal(snapshot.stalls, 1);
  clock.tick(61_000);
  aggregator.ingest(report({ httpBytes: 200 }, { ttffMs: 400 }), a, "10.2.0.1");
  aggregator.ingest(
    report({ p2pBytes: 300, stalls: 1 }, { final: true }),
    b,
    "10.2.0.2",
  );
  snapshot = await aggregator.snapshot();
  assert.equal(snapshot.channels.demo?.viewers, 1, "b said goodbye");
  assert.equal(
    snapshot.channels["ao-vivo"]?.viewers,
    0,
    "c went silent for over 30 s",
  );
  assert.equal(snapshot.avgTtffMs, 600, "a session's first frame counts once");
  await aggregator.flush(); // history reads the same through the store
  const history = await aggregator.history("demo");
  assert.equal(history.length, 2);
  assert.deepEqual(history.map((b) => [b.viewers, b.httpBytes, b.p2pBytes]), [[
    2,
    100,
    300,
  ], [2, 100, 0]]);
  assert.equal(history[0]!.start, "2026-11-24T12:00:00.000Z");
});

Deno.test("Aggregator memory is bounded: old sessions and buckets go", async () => {
  const clock = FakeTimers.createClock(0);
  const aggregator = new Aggregator({
    clock: () => clock.now,
    maxSessions: 100,
    bucketCount: 5,
  });
  clock.tick(1000);
  for (let i = 0; i < 1000; i++) {
    aggregator.ingest(
      report({ httpBytes: 1 }),
      session(`session-${i}`, 0),
      `10.3.${i >> 8}.${i & 255}`,
    );
  }
  assert.ok((aggregator.reportingViewers().demo?.active ?? 0) <= 100);
  const steady = session("steady", 0);
  for (let minute = 0; minute < 20; minute++) {
    clock.tick(60_000);
    aggregator.ingest(report({ httpBytes: minute + 2 }), steady, "10.4.0.1");
    await aggregator.flush();
  }
  assert.equal((await aggregator.history("demo")).length, 5);
});
