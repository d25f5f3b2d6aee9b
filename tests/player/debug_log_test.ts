import assert from "node:assert/strict";
import { type P2PDebugLog, record } from "../../player/debug_log.ts";

Deno.test("record() stamps events with the page's clock, or keeps the time they happened", () => {
  const log: P2PDebugLog = { events: [], p2pSegments: [] };
  const before = performance.now();
  record(log, { type: "hlsCreated" });
  record(log, { type: "startStep", detail: "hls.js", at: 12 });
  const [now, earlier] = log.events;
  assert.ok(
    now!.at! >= Math.floor(before) && now!.at! <= performance.now() + 1,
  );
  assert.deepEqual(earlier, { type: "startStep", detail: "hls.js", at: 12 });
  record(undefined, { type: "ignored" }); // no log: nothing, no error
});
