import assert from "node:assert/strict";
import { Aggregator, type SharedFigures } from "../../analytics/aggregator.ts";
import { parseSharedFigures } from "../../analytics/shared.ts";
import { parseReport, type PlayerReport } from "../../analytics/report.ts";

function report(
  sessionId: string,
  channel: string,
  http: number,
  p2p: number,
): PlayerReport {
  return parseReport({
    sessionId,
    channel,
    live: false,
    p2pStatus: "active",
    totals: { httpBytes: http, p2pBytes: p2p, uploadedBytes: 0, stalls: 1 },
    peers: 1,
    ttffMs: 600,
  });
}

Deno.test("Aggregator.snapshot() adds in other instances' figures", () => {
  let now = 1_000_000;
  const here = new Aggregator({ clock: () => now });
  const there = new Aggregator({ clock: () => now });
  assert.equal(
    here.ingest(report("session-here-1", "demo", 1000, 0)).accepted,
    true,
  );
  assert.equal(
    there.ingest(report("session-there-1", "demo", 0, 3000)).accepted,
    true,
  );
  assert.equal(
    there.ingest(report("session-there-2", "news", 500, 500)).accepted,
    true,
  );
  now += 1000;
  const merged = here.snapshot([there.shared()]);
  assert.equal(merged.viewers, 3);
  assert.equal(merged.httpBytes, 1500);
  assert.equal(merged.p2pBytes, 3500);
  assert.equal(merged.stalls, 3);
  assert.equal(merged.avgTtffMs, 600);
  assert.deepEqual(Object.keys(merged.channels).sort(), ["demo", "news"]);
  assert.equal(merged.channels.demo!.viewers, 2);
  assert.equal(merged.channels.demo!.offload, 0.75);
  assert.equal(merged.channels.news!.offload, 0.5);
  assert.deepEqual(
    here.snapshot().channels.demo!.p2pBytes,
    0,
    "alone, only its own",
  );
  assert.deepEqual(
    there.shared(),
    parseSharedFigures(JSON.parse(JSON.stringify(there.shared()))),
  );
});

Deno.test("parseSharedFigures() refuses what another instance should never send", () => {
  const good: SharedFigures = new Aggregator().shared();
  assert.deepEqual(parseSharedFigures(good), good);
  for (
    const bad of [
      undefined,
      "figures",
      { all: { ...good.all, httpBytes: -1 }, channels: {} },
      { all: { ...good.all, viewers: Infinity }, channels: {} },
      { all: good.all },
      { all: { viewers: 1 }, channels: {} },
    ]
  ) {
    assert.equal(parseSharedFigures(bad), undefined, JSON.stringify(bad));
  }
  const odd = parseSharedFigures({
    all: good.all,
    channels: { "Bad Id!": good.all, demo: { viewers: "2" }, news: good.all },
  });
  assert.deepEqual(
    Object.keys(odd!.channels),
    ["news"],
    "bad channels are dropped",
  );
});
