import assert from "node:assert/strict";
import { escapeLabel } from "../../analytics/prometheus.ts";

Deno.test("escapeLabel() follows the text format's escaping rules", () => {
  assert.equal(escapeLabel('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
});
