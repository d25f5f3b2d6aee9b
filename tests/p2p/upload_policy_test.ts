import assert from "node:assert/strict";
import { decideUpload, LOW_BATTERY } from "../../p2p/upload_policy.ts";

const visible = { hidden: false };

Deno.test("decideUpload(): metered lines, Data Saver and a low battery download but do not upload", () => {
  assert.deepEqual(
    decideUpload({ ...visible, connectionType: "cellular" }, false),
    { upload: false, reason: "cellular" },
  );
  assert.deepEqual(
    decideUpload({ ...visible, connectionType: "wifi", saveData: true }, false),
    { upload: false, reason: "save-data" },
  );
  assert.deepEqual(
    decideUpload({
      ...visible,
      connectionType: "wifi",
      battery: { level: LOW_BATTERY - 0.01, charging: false },
    }, false),
    { upload: false, reason: "battery" },
  );
  assert.deepEqual(
    decideUpload({
      ...visible,
      connectionType: "wifi",
      battery: { level: 0.05, charging: true },
    }, false),
    { upload: true, reason: "unmetered" },
    "charging: the battery is no reason",
  );
});

Deno.test("decideUpload(): the viewer may opt in; a hidden page never uploads; a silent browser uploads", () => {
  assert.deepEqual(
    decideUpload({ ...visible, connectionType: "cellular" }, true),
    { upload: true, reason: "opted-in" },
  );
  assert.deepEqual(
    decideUpload({ hidden: true, connectionType: "wifi" }, true),
    { upload: false, reason: "hidden" },
  );
  assert.deepEqual(decideUpload(visible, false), {
    upload: true,
    reason: "unknown",
  });
  assert.deepEqual(
    decideUpload({ ...visible, connectionType: "ethernet" }, false),
    { upload: true, reason: "unmetered" },
  );
});
