import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import {
  chooseRendition,
  httpSample,
  MAX_STEPS_DOWN,
  popularLevel,
  SAFE_BUFFER_S,
  swarmInfoHashHex,
  UP_BUFFER_S,
  UP_FACTOR,
  watchCoreLoad,
} from "../../player/p2p_abr.ts";

/** The lab's ladder (bit/s), in hls.js's order. */
const LADDER = [600e3, 1.2e6, 2.5e6, 4.5e6];
const base = {
  bitrates: LADDER,
  bufferSeconds: 20,
  httpBps: 30e6,
};

Deno.test("popularLevel(): the level most peers watch, the higher on a tie, none when nobody watches", () => {
  assert.equal(popularLevel([0, 0, 0, 0]), -1);
  assert.equal(popularLevel([0, 3, 1, 0]), 1);
  assert.equal(popularLevel([0, 2, 2, 0]), 2);
  assert.equal(popularLevel([]), -1);
});

Deno.test("chooseRendition(): viewers converge on the swarm's rendition when it costs little", async (t) => {
  await t.step(
    "nobody else watching: hls.js's choice, for the connection",
    () => {
      assert.deepEqual(
        chooseRendition({ ...base, stock: 3, swarmPeers: [0, 0, 0, 0] }),
        { level: 3, reason: "connection" },
      );
    },
  );
  await t.step(
    "the swarm watches what hls.js chose: it stays, for the swarm",
    () => {
      assert.deepEqual(
        chooseRendition({ ...base, stock: 3, swarmPeers: [0, 0, 1, 5] }),
        { level: 3, reason: "swarm" },
      );
    },
  );
  await t.step(
    "one step down, at least half the bitrate: join the swarm",
    () => {
      assert.deepEqual(
        chooseRendition({ ...base, stock: 3, swarmPeers: [0, 0, 6, 1] }),
        { level: 2, reason: "swarm" },
      );
    },
  );
  await t.step("more than one step down, or less than half: stay", () => {
    assert.ok(MAX_STEPS_DOWN === 1);
    assert.deepEqual(
      chooseRendition({ ...base, stock: 3, swarmPeers: [0, 6, 0, 1] }),
      { level: 3, reason: "connection" },
    );
    assert.deepEqual(
      chooseRendition({
        ...base,
        bitrates: [1e6, 4.5e6],
        stock: 1,
        swarmPeers: [5, 0],
      }),
      { level: 1, reason: "connection" },
      "1 Mbit/s is less than half of 4.5",
    );
  });
  await t.step(
    "a better rendition the swarm holds, when the measured downlink carries it",
    () => {
      assert.deepEqual(
        chooseRendition({ ...base, stock: 2, swarmPeers: [0, 0, 0, 4] }),
        { level: 3, reason: "swarm" },
      );
    },
  );
});

Deno.test("chooseRendition(): smooth playback first, and peers never talk a line into what it cannot carry", async (t) => {
  await t.step("little buffer: hls.js's choice stands", () => {
    assert.deepEqual(
      chooseRendition({
        ...base,
        bufferSeconds: SAFE_BUFFER_S - 0.5,
        stock: 1,
        swarmPeers: [0, 0, 5, 0],
      }),
      { level: 1, reason: "connection" },
    );
    assert.deepEqual(
      chooseRendition({
        ...base,
        bufferSeconds: SAFE_BUFFER_S - 0.5,
        stock: 3,
        swarmPeers: [0, 0, 5, 0],
      }),
      { level: 3, reason: "connection" },
      "no switch while the buffer is low, down either",
    );
  });
  await t.step(
    "a downlink too slow for the swarm's rendition keeps its own",
    () => {
      const tooSlow = 4.5e6 / UP_FACTOR - 1;
      assert.deepEqual(
        chooseRendition({
          ...base,
          httpBps: tooSlow,
          stock: 2,
          swarmPeers: [0, 0, 0, 8],
        }),
        { level: 2, reason: "connection" },
      );
      assert.deepEqual(
        chooseRendition({
          ...base,
          httpBps: undefined,
          stock: 2,
          swarmPeers: [0, 0, 0, 8],
        }),
        { level: 2, reason: "connection" },
        "nothing measured over HTTP yet: no step up",
      );
    },
  );
  await t.step("stepping up also wants a healthy buffer", () => {
    assert.deepEqual(
      chooseRendition({
        ...base,
        bufferSeconds: UP_BUFFER_S - 1,
        stock: 2,
        swarmPeers: [0, 0, 0, 8],
      }),
      { level: 2, reason: "connection" },
    );
  });
});

Deno.test("httpSample(): hls.js's own segment fetches only, big enough to say something about the line", () => {
  const entry = (fields: Partial<PerformanceResourceTiming>) =>
    ({
      name: "https://cdn.example/216p/seg_001.m4s",
      initiatorType: "xmlhttprequest",
      encodedBodySize: 1_100_000,
      transferSize: 1_100_300,
      responseStart: 1000,
      responseEnd: 1200,
      ...fields,
    }) as PerformanceResourceTiming;
  assert.deepEqual(httpSample(entry({})), {
    durationMs: 200,
    bytes: 1_100_000,
  });
  assert.equal(
    httpSample(entry({ initiatorType: "fetch" })),
    undefined,
    "p2p-media-loader's fetches are measured by HttpLineMeter",
  );
  assert.equal(
    httpSample(entry({ name: "https://cdn.example/216p.m3u8" })),
    undefined,
  );
  assert.equal(httpSample(entry({ initiatorType: "script" })), undefined);
  assert.equal(
    httpSample(entry({ encodedBodySize: 20_000, transferSize: 20_300 })),
    undefined,
  );
  assert.equal(httpSample(entry({ responseEnd: 1000 })), undefined);
});

Deno.test("swarmInfoHashHex(): p2p-media-loader's info_hash, base64 of 15 bytes of SHA-1, as hex", async () => {
  const swarmId = "redflix:lab-vod";
  const shortId = "abc123==";
  const digest = createHash("sha1").update(`v2-${swarmId}-main-${shortId}`)
    .digest();
  const ascii = Buffer.from(digest.subarray(0, 15)).toString("base64");
  assert.equal(ascii.length, 20);
  assert.equal(
    await swarmInfoHashHex(swarmId, shortId),
    Buffer.from(ascii, "latin1").toString("hex"),
  );
});

Deno.test("watchCoreLoad(): p2p-media-loader's 'already complete' marks give way to a load started now", () => {
  // As p2p-media-loader-hlsjs 2.3's FragmentLoaderBase makes them.
  const marked = { loaded: 1, total: 1, loading: { start: 0 } };
  assert.equal(watchCoreLoad(marked, 1234.5), true);
  assert.deepEqual(marked, { loaded: 0, total: 0, loading: { start: 1234.5 } });
  assert.equal(watchCoreLoad(marked, 2000), false, "once");
  assert.equal(marked.loading.start, 1234.5);
  // hls.js's own loader (HTTP while P2P is off): its real progress stays.
  const xhr = { loaded: 0, total: 0, loading: { start: 900 } };
  assert.equal(watchCoreLoad(xhr, 2000), false);
  assert.deepEqual(xhr, { loaded: 0, total: 0, loading: { start: 900 } });
  // A segment the core already held: delivered at once.
  const done = { loaded: 1_100_000, total: 1_100_000, loading: { start: 0 } };
  assert.equal(watchCoreLoad(done, 2000), false);
  assert.equal(done.loaded, 1_100_000);
});
