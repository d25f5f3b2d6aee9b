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

Deno.test("HttpLineMeter: a request that ends, however it ends, is a sample", () => {
  const { line, samples } = meter();
  line.started(1000);
  line.received(600_000);
  line.received(500_000);
  line.ended(1800);
  // A dip: the core gives the request up after 3 s of silence.
  line.started(2000);
  line.received(40_000);
  line.ended(5300);
  assert.deepEqual(samples, [
    { durationMs: 800, bytes: 1_100_000 },
    { durationMs: 3300, bytes: 40_000 },
  ]);
});

Deno.test("HttpLineMeter: only time with a request in flight counts, overlapping requests once", () => {
  const { line, samples } = meter();
  line.started(0);
  line.started(200);
  line.received(300_000);
  line.ended(500);
  line.received(100_000);
  line.ended(1000);
  line.received(999); // nothing in flight: not the line's
  line.started(9000); // the idle time before is not counted
  line.received(200_000);
  line.ended(9400);
  assert.deepEqual(samples, [
    { durationMs: 500, bytes: 300_000 },
    { durationMs: 500, bytes: 100_000 },
    { durationMs: 400, bytes: 200_000 },
  ]);
});

Deno.test("HttpLineMeter: a request cancelled at once is carried into the next sample", () => {
  const { line, samples } = meter();
  line.started(0);
  line.ended(MIN_SAMPLE_MS - 240);
  assert.deepEqual(samples, []);
  line.started(100);
  line.received(500_000);
  line.ended(600);
  assert.deepEqual(samples, [{ durationMs: 510, bytes: 500_000 }]);
});

Deno.test("HttpLineMeter: an end without a start and a stopped listener are ignored", () => {
  const line = new HttpLineMeter();
  const samples: LineSample[] = [];
  const stop = line.listen((sample) => samples.push(sample));
  line.ended(500);
  line.received(1000);
  line.started(1000);
  line.received(1000);
  stop();
  line.ended(2000);
  assert.deepEqual(samples, []);
});
