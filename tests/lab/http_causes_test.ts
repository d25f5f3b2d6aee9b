import assert from "node:assert/strict";
import {
  type HttpCause,
  httpCauses,
  httpCausesTable,
} from "../../scripts/lab/http_causes.ts";

/** A segment URL as viewer `port`'s page saw it (each viewer reaches the origin on its own port). */
const seg = (n: number, port = 9000) =>
  `http://127.0.0.1:${port}/media/lab/216p/seg_00${n}.m4s`;

const loaded = (at: number, n: number, source: string, port?: number) => ({
  type: "segmentLoaded",
  at,
  url: seg(n, port),
  source,
  bytes: 1000 * n,
});

/**
 * Three viewers (times in s from the run's start): A from 0, B from 1, C
 * from 1; A and B connect, C meets nobody.
 */
function scenario(): unknown[][] {
  const a = [
    { type: "self", at: 0, peerId: "A" },
    loaded(500, 1, "http"), // 0.5 s, alone: before its first peer
    { type: "peerConnect", at: 1500, peerId: "B" },
    loaded(2000, 2, "http"), // nobody else had 2
    loaded(5500, 3, "http"),
    { type: "buffer", at: 20_000 },
  ];
  const b = [
    { type: "self", at: 0, peerId: "B" },
    { type: "peerConnect", at: 500, peerId: "A" }, // 1.5 s
    { type: "segmentStart", at: 1000, url: seg(1, 9001), source: "p2p" },
    loaded(2000, 1, "http", 9001), // 3 s: A had 1, and A was asked first
    { type: "window", at: 2500, seconds: 60 },
    loaded(3000, 2, "http", 9001), // 4 s: A had 2, all-HTTP window
    { type: "window", at: 3500, seconds: 4 },
    loaded(4000, 4, "http", 9001), // 5 s: C had 4, never connected
    { type: "peerClose", at: 5500, peerId: "A" }, // 6.5 s
    loaded(6000, 3, "http", 9001), // 7 s: only A, dropped, had 3
    { type: "peerConnect", at: 6500, peerId: "A" }, // 7.5 s: back
    loaded(8000, 5, "http", 9001), // 9 s: A had 5, not asked
    { type: "buffer", at: 20_000 },
  ];
  const c = [
    { type: "self", at: 0, peerId: "C" },
    loaded(1000, 4, "http", 9002), // 2 s, alone
    { type: "peerConnect", at: 2000, peerId: "unknown" },
    null, // malformed events are skipped
    { type: "segmentLoaded", url: seg(9) }, // no time
    { type: "buffer", at: 20_000 },
  ];
  a.splice(5, 0, loaded(7000, 5, "p2p")); // A has 5 from 7 s
  return [a, b, c];
}

const joins = [{ joinedAt: 0 }, { joinedAt: 1 }, { joinedAt: 1 }];

function segmentsOf(counts: Record<HttpCause, { segments: number }>) {
  return Object.fromEntries(
    Object.entries(counts).filter(([, c]) => c.segments).map((
      [cause, c],
    ) => [cause, c.segments]),
  );
}

Deno.test("http causes: each HTTP segment is sorted by what the swarm held then", () => {
  const causes = httpCauses(joins, scenario());
  assert.deepEqual(segmentsOf(causes.viewers[0]!), {
    beforePeers: 1,
    nobodyHad: 2,
  });
  assert.deepEqual(segmentsOf(causes.viewers[1]!), {
    peerFailed: 1,
    plainHttp: 1,
    unconnected: 1,
    droppedPeer: 1,
    notAsked: 1,
  });
  assert.deepEqual(segmentsOf(causes.viewers[2]!), { beforePeers: 1 });
  assert.equal(causes.total.nobodyHad.segments, 2);
  assert.equal(causes.total.nobodyHad.bytes, 2000 + 3000);
  assert.equal(causes.total.beforePeers.bytes, 1000 + 4000);
});

Deno.test("http causes: what a peer sent of a segment HTTP finished is not the origin's", () => {
  const a = [
    { type: "self", at: 0, peerId: "A" },
    loaded(500, 1, "http"),
    loaded(600, 2, "http"),
    { type: "buffer", at: 20_000 },
  ];
  const chunk = (at: number, bytes: number, peerId: string) => ({
    type: "chunkDownloaded",
    at,
    bytes,
    source: "p2p",
    peerId,
  });
  const b = [
    { type: "self", at: 0, peerId: "B" },
    { type: "peerConnect", at: 500, peerId: "A" },
    {
      type: "segmentStart",
      at: 600,
      url: seg(1, 9001),
      source: "p2p",
      peerId: "A",
    },
    chunk(700, 400, "A"),
    {
      type: "segmentError",
      at: 2600,
      url: seg(1, 9001),
      source: "p2p",
      peerId: "A",
    },
    chunk(2700, 50, "A"), // after its attempt ended: not seg 1's
    { type: "chunkDownloaded", at: 2800, bytes: 600, source: "http" },
    loaded(2900, 1, "http", 9001), // 1000 bytes, 400 of them from A
    loaded(3000, 2, "http", 9001), // 2000 bytes, all from the origin
    { type: "buffer", at: 20_000 },
  ];
  const causes = httpCauses([{ joinedAt: 0 }, { joinedAt: 0 }], [a, b]);
  assert.deepEqual(segmentsOf(causes.viewers[1]!), {
    peerFailed: 1,
    notAsked: 1,
  });
  assert.equal(causes.viewers[1]!.peerFailed.bytes, 600);
  assert.equal(causes.viewers[1]!.notAsked.bytes, 2000);
});

Deno.test("http causes: a viewer that has left holds nothing", () => {
  const traces = scenario();
  // A's page is gone at 2.5 s: B's later fetches found no holder in A.
  traces[0] = traces[0]!.filter((e) =>
    !(e && typeof e === "object" && (e as { at: number }).at > 2500)
  );
  const causes = httpCauses(joins, traces);
  assert.equal(causes.viewers[1]!.peerFailed.segments, 0);
  assert.ok(causes.viewers[1]!.nobodyHad.segments >= 3);
});

Deno.test("http causes: the table has a row per viewer and the totals", () => {
  const table = httpCausesTable(httpCauses(joins, scenario()), [
    "fiber",
    "4g",
  ]);
  const rows = table.split("\n");
  assert.equal(rows.length, 2 + 3 + 2);
  assert.match(rows[2]!, /^\| 1 \(fiber\) \| 1 \| 2 \|/);
  assert.match(rows[4]!, /^\| 3 \| 1 \|/);
  assert.match(
    rows.at(-1)!,
    /^\| all, MB from the origin \| 0\.0 \| 0\.0 \|/,
  );
});
