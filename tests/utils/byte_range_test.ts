import assert from "node:assert/strict";
import { parseByteRange } from "../../utils/byte_range.ts";

Deno.test("parseByteRange reads one byte range of a representation", () => {
  assert.deepEqual(parseByteRange("bytes=0-99", 1000), { start: 0, end: 99 });
  assert.deepEqual(parseByteRange("bytes=100-", 1000), {
    start: 100,
    end: 999,
  });
  assert.deepEqual(parseByteRange("bytes=900-5000", 1000), {
    start: 900,
    end: 999,
  });
  assert.deepEqual(parseByteRange("bytes=-200", 1000), {
    start: 800,
    end: 999,
  });
  assert.deepEqual(parseByteRange("bytes=-5000", 1000), { start: 0, end: 999 });
  assert.deepEqual(parseByteRange(" BYTES=1-1 ", 10), { start: 1, end: 1 });
});

Deno.test("parseByteRange tells unsatisfiable from ignorable", () => {
  assert.equal(parseByteRange("bytes=1000-", 1000), "unsatisfiable");
  assert.equal(parseByteRange("bytes=-0", 1000), "unsatisfiable");
  assert.equal(parseByteRange("bytes=0-", 0), "unsatisfiable");
  for (
    const header of [
      null,
      "",
      "bytes=",
      "bytes=-",
      "bytes=5-1",
      "bytes=0-1,3-4",
      "bytes=a-b",
      "bits=0-1",
      `bytes=${"9".repeat(40)}-`,
    ]
  ) {
    assert.equal(parseByteRange(header, 1000), undefined, String(header));
  }
});
