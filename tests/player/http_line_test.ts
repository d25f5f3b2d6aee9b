import assert from "node:assert/strict";
import {
  HttpLineMeter,
  type LineSample,
  MIN_SAMPLE_MS,
} from "../../player/http_line.ts";

/** A meter and the samples it tells. */
function meter(): { line: HttpLineMeter; samples: LineSample[] } {
  const line = new HttpLineMeter();
  const samples: LineSample[] = [];
  line.listen((sample) => samples.push(sample));
  return { line, samples };
}

Deno.test("HttpLineMeter: a request that ends, however it ends, is a sample from its first byte", () => {
  const { line, samples } = meter();
  line.started();
  line.received(600_000, 1060);
  line.received(500_000, 1500);
  line.ended(1860);
  // A dip: bytes stop, and the core gives the request up after 3 s of silence.
  line.started();
  line.received(40_000, 2060);
  line.ended(5300);
  assert.deepEqual(samples, [
    { durationMs: 800, bytes: 1_100_000 },
    { durationMs: 3240, bytes: 40_000 },
  ]);
});

Deno.test("HttpLineMeter: a request that gets no byte is no sample (the round trip, or a line already down)", () => {
  const { line, samples } = meter();
  line.started();
  line.ended(3000);
  assert.deepEqual(samples, []);
  line.started();
  line.received(300_000, 3100);
  line.ended(3400);
  assert.deepEqual(samples, [{ durationMs: 300, bytes: 300_000 }]);
});

Deno.test("HttpLineMeter: time with bytes flowing counts, overlapping requests once", () => {
  const { line, samples } = meter();
  line.started();
  line.received(100_000, 100);
  line.started();
  line.received(200_000, 400);
  line.ended(600);
  line.received(100_000, 900);
  line.ended(1100);
  line.received(999, 1200); // nothing in flight: not the line's
  line.started(); // the idle time before is not counted
  line.received(200_000, 9050);
  line.ended(9350);
  assert.deepEqual(samples, [
    { durationMs: 500, bytes: 300_000 },
    { durationMs: 500, bytes: 100_000 },
    { durationMs: 300, bytes: 200_000 },
  ]);
});

Deno.test("HttpLineMeter: a short stretch is carried into the next sample", () => {
  const { line, samples } = meter();
  line.started();
  line.received(150_000, 60);
  line.ended(MIN_SAMPLE_MS - 40);
  assert.deepEqual(samples, []);
  line.started();
  line.received(500_000, 1050);
  line.ended(1350);
  assert.deepEqual(samples, [
    { durationMs: MIN_SAMPLE_MS - 100 + 300, bytes: 650_000 },
  ]);
});

Deno.test("HttpLineMeter: an end without a start and a stopped listener are ignored", () => {
  const line = new HttpLineMeter();
  const samples: LineSample[] = [];
  const stop = line.listen((sample) => samples.push(sample));
  line.ended(500);
  line.received(1000, 600);
  line.started();
  line.received(1000, 1100);
  stop();
  line.ended(2000);
  assert.deepEqual(samples, []);
});

Deno.test("HttpLineMeter: restart() forgets the stretch so far and waits for a new first byte", () => {
  const { line, samples } = meter();
  line.started();
  line.received(280_000, 100);
  line.restart(); // hls.js reset its estimate at 1400, in a dip
  line.ended(3300); // the core gives the request up: nothing to tell
  line.started();
  line.received(150_000, 5000);
  line.ended(5300);
  assert.deepEqual(samples, [{ durationMs: 300, bytes: 150_000 }]);
});
