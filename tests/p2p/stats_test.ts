import assert from "node:assert/strict";
import { effect } from "@preact/signals";
import FakeTimers from "@sinonjs/fake-timers";
import { formatBytes, formatSpeed, P2PStats } from "../../p2p/stats.ts";

function setup() {
  const clock = FakeTimers.createClock(10_000);
  const stats = new P2PStats({
    clock: () => clock.now,
    windowSeconds: 5,
    historySeconds: 60,
  });
  return { clock, stats };
}

Deno.test("P2PStats counts bytes and segments exactly as the engine reports them", () => {
  const { stats } = setup();
  stats.chunkDownloaded(1000, "http");
  stats.chunkDownloaded(3000, "p2p");
  stats.chunkDownloaded(0, "p2p");
  stats.chunkUploaded(500);
  stats.segmentLoaded("http");
  stats.segmentLoaded("p2p");
  stats.segmentLoaded("p2p");
  assert.equal(stats.httpBytes.value, 1000);
  assert.equal(stats.p2pBytes.value, 3000);
  assert.equal(stats.uploadedBytes.value, 500);
  assert.equal(stats.p2pRatio.value, 0.75);
  assert.deepEqual([stats.httpSegments.value, stats.p2pSegments.value], [1, 2]);
});

Deno.test("P2PStats tracks connected peers", () => {
  const { stats } = setup();
  stats.peerConnected("a");
  stats.peerConnected("b");
  stats.peerConnected("a");
  assert.deepEqual(stats.peers.value, ["a", "b"]);
  stats.peerClosed("a");
  assert.deepEqual(stats.peers.value, ["b"]);
  stats.clearPeers();
  assert.deepEqual(stats.peers.value, []);
});

Deno.test("P2PStats speeds are averages over the last 5 s (fake clock)", async (t) => {
  const { clock, stats } = setup();
  await t.step("a second of traffic shows as 1/5 of it per second", () => {
    stats.chunkDownloaded(50_000, "p2p");
    stats.chunkUploaded(10_000);
    clock.tick(1000);
    stats.tick();
    assert.equal(stats.downSpeed.value, 10_000);
    assert.equal(stats.upSpeed.value, 2_000);
  });
  await t.step("steady traffic converges to its rate", () => {
    for (let i = 0; i < 6; i++) {
      stats.chunkDownloaded(20_000, "http");
      clock.tick(1000);
      stats.tick();
    }
    assert.equal(stats.downSpeed.value, 20_000);
    assert.equal(stats.upSpeed.value, 0, "old uploads left the window");
  });
  await t.step("silence brings speeds back to zero", () => {
    clock.tick(5000);
    stats.tick();
    assert.equal(stats.downSpeed.value, 0);
  });
  await t.step(
    "history has one sample per second, zeros for silent ones, capped at 60",
    () => {
      const history = stats.history.value;
      assert.equal(history.length, 12);
      assert.deepEqual(history[0], { http: 0, p2p: 50_000, up: 10_000 });
      assert.deepEqual(history[1], { http: 20_000, p2p: 0, up: 0 });
      assert.deepEqual(history.at(-1), { http: 0, p2p: 0, up: 0 });
      clock.tick(120_000);
      stats.tick();
      assert.equal(stats.history.value.length, 60);
    },
  );
});

Deno.test("P2PStats updates subscribers once per tick, not per field", () => {
  const { clock, stats } = setup();
  let runs = 0;
  effect(() => {
    void stats.downSpeed.value;
    void stats.upSpeed.value;
    void stats.history.value;
    runs++;
  });
  stats.chunkDownloaded(1, "http");
  clock.tick(1000);
  stats.tick();
  assert.equal(runs, 2, "one initial run, one batched update");
});

Deno.test("formatBytes() and formatSpeed()", () => {
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(1536), "1.5 KB");
  assert.equal(formatBytes(2_600_000), "2.6 MB");
  assert.equal(formatBytes(123_000_000), "123 MB");
  assert.equal(formatSpeed(100), "800 b/s");
  assert.equal(formatSpeed(1000), "8.0 kb/s");
  assert.equal(formatSpeed(325_000), "2.6 Mb/s");
});
