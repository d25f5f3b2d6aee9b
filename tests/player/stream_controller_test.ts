import assert from "node:assert/strict";
import { isBufferedAgain } from "../../player/stream_controller.ts";

const previous = { sn: 7, level: 0, start: 12, end: 14 };

Deno.test("isBufferedAgain(): the fragment just buffered, looked up again at another rendition", () => {
  assert.equal(
    isBufferedAgain({ sn: 7, level: 3 }, previous, 13.98, 0.25),
    true,
  );
  assert.equal(isBufferedAgain({ sn: 7, level: 3 }, previous, 14, 0.25), true);
});

Deno.test("isBufferedAgain(): everything else is hls.js's to load", async (t) => {
  await t.step("the same rendition", () => {
    assert.equal(
      isBufferedAgain({ sn: 7, level: 0 }, previous, 13.98, 0.25),
      false,
    );
  });
  await t.step("the next fragment", () => {
    assert.equal(
      isBufferedAgain({ sn: 8, level: 3 }, previous, 13.98, 0.25),
      false,
    );
  });
  await t.step("a hole at the buffer's end", () => {
    assert.equal(
      isBufferedAgain({ sn: 7, level: 3 }, previous, 13.1, 0.25),
      false,
    );
  });
  await t.step("nothing buffered before", () => {
    assert.equal(
      isBufferedAgain({ sn: 7, level: 3 }, null, 13.98, 0.25),
      false,
    );
  });
});
