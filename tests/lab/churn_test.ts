import assert from "node:assert/strict";
import {
  churnPlan,
  CRASH_AFTER_S,
  LATE_JOIN_AFTER_S,
} from "../../scripts/lab/churn.ts";

Deno.test("churn: with 4 viewers, two of the three early ones crash and one joins late", () => {
  const plan = churnPlan(4, 3, true);
  assert.deepEqual(plan.joins, [
    { viewer: 0, at: 0 },
    { viewer: 1, at: 3 },
    { viewer: 2, at: 6 },
    { viewer: 3, at: 6 + CRASH_AFTER_S + LATE_JOIN_AFTER_S },
  ]);
  assert.deepEqual(plan.crashes, [1, 2]);
  assert.equal(plan.crashAt, 6 + CRASH_AFTER_S);
});

Deno.test("churn: two crash, never the first viewer, whatever the size", () => {
  for (let viewers = 4; viewers <= 12; viewers++) {
    const plan = churnPlan(viewers, 2, true);
    assert.equal(new Set(plan.crashes).size, 2, `${viewers} viewers`);
    assert.ok(!plan.crashes.includes(0));
    // Only viewers that joined before the crash can crash.
    for (const i of plan.crashes) {
      const join = plan.joins.find((j) => j.viewer === i)!;
      assert.ok(join.at < plan.crashAt!);
    }
    assert.equal(plan.joins.length, viewers);
  }
  assert.deepEqual(churnPlan(6, 3, true).crashes, [1, 3]);
});

Deno.test("churn: without it everyone joins in turn and nobody crashes", () => {
  const plan = churnPlan(3, 5, false);
  assert.deepEqual(plan.joins.map((j) => j.at), [0, 5, 10]);
  assert.deepEqual(plan.crashes, []);
  assert.equal(plan.crashAt, undefined);
  assert.throws(() => churnPlan(3, 5, true), /churn needs 4 viewers/);
});
