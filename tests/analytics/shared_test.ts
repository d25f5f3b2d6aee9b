import assert from "node:assert/strict";
import { Aggregator } from "../../analytics/aggregator.ts";
import { parseViewerCounts } from "../../analytics/shared.ts";
import { parseReport, type PlayerReport } from "../../analytics/report.ts";
import { MemoryStore } from "../../analytics/store.ts";

function report(channel: string, http: number, p2p: number): PlayerReport {
  return parseReport({
    token: "t",
    channel,
    live: false,
    p2pStatus: "active",
    totals: { httpBytes: http, p2pBytes: p2p, uploadedBytes: 0, stalls: 1 },
    peers: 1,
    ttffMs: 600,
  });
}

Deno.test("instances on one store add up totals; viewers come from each instance's counts", async () => {
  let now = 1_000_000;
  const store = new MemoryStore(3 * 3600_000, () => now);
  const here = new Aggregator({ clock: () => now, store });
  const there = new Aggregator({ clock: () => now, store });
  const claims = (id: string, channel: string) => ({
    sessionId: id,
    channel,
    issuedAt: now - 10_000,
  });
  assert.equal(
    here.ingest(report("demo", 1000, 0), claims("here-1", "demo"), "10.0.0.1")
      .accepted,
    true,
  );
  assert.equal(
    there.ingest(report("demo", 0, 3000), claims("there-1", "demo"), "10.0.0.2")
      .accepted,
    true,
  );
  assert.equal(
    there.ingest(
      report("news", 500, 500),
      claims("there-2", "news"),
      "10.0.0.3",
    )
      .accepted,
    true,
  );
  await Promise.all([here.flush(), there.flush()]);
  now += 1000;
  const merged = await here.snapshot([there.reportingViewers()]);
  assert.equal(merged.viewers, 3);
  assert.equal(merged.httpBytes, 1500);
  assert.equal(merged.p2pBytes, 3500);
  assert.equal(merged.stalls, 3);
  assert.equal(merged.avgTtffMs, 600);
  assert.deepEqual(Object.keys(merged.channels).sort(), ["demo", "news"]);
  assert.equal(merged.channels.demo!.viewers, 2);
  assert.equal(merged.channels.demo!.offload, 0.75);
  assert.equal(merged.channels.news!.offload, 0.5);
  assert.equal(
    (await here.snapshot()).channels.demo!.viewers,
    1,
    "alone, only its own viewers (the totals are shared)",
  );
  assert.deepEqual(
    parseViewerCounts(JSON.parse(JSON.stringify(there.reportingViewers()))),
    there.reportingViewers(),
  );
});

Deno.test("parseViewerCounts() keeps only what another instance may send", () => {
  for (const bad of [undefined, "counts", [1, 2], null]) {
    assert.equal(parseViewerCounts(bad), undefined, JSON.stringify(bad));
  }
  assert.deepEqual(
    parseViewerCounts({
      "Bad Id!": { active: 1 },
      demo: { active: 2, native: -1, hacked: 5, waiting: 1.5, viewer: 1 },
      news: "2",
    }),
    { demo: { active: 2, viewer: 1 } },
  );
});
