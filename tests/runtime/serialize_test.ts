import assert from "node:assert/strict";
import { computed, type Signal, signal } from "@preact/signals";
import {
  reviveProps,
  type SerializedProps,
  serializeProps,
} from "../../runtime/serialize.ts";

function roundTrip(props: Record<string, unknown>): Record<string, unknown> {
  return reviveProps(JSON.parse(serializeProps(props)) as SerializedProps);
}

Deno.test("serializeProps() and reviveProps() carry island props to the browser", async (t) => {
  await t.step("plain data round-trips", () => {
    const props = {
      id: "demo",
      n: 3,
      ok: true,
      list: [1, "a", null],
      nested: { deep: { x: 1 } },
    };
    assert.deepEqual(roundTrip(props), props);
  });
  await t.step("signals are sent by value and revived as signals", () => {
    const revived = roundTrip({ count: signal(2), items: [signal("a"), "b"] });
    const count = revived.count as Signal<number>;
    assert.equal(count.value, 2);
    count.value = 5; // a real, writable signal
    assert.equal(count.peek(), 5);
    assert.equal(
      ((revived.items as unknown[])[0] as Signal<string>).value,
      "a",
    );
    assert.equal((revived.items as unknown[])[1], "b");
  });
  await t.step("computed signals serialize by value", () => {
    const base = signal(20);
    const revived = roundTrip({ double: computed(() => base.value * 2) });
    assert.equal((revived.double as Signal<number>).value, 40);
  });
  await t.step("a signal holding signals revives inner ones too", () => {
    const revived = roundTrip({ outer: signal({ inner: signal(1) }) });
    const outer = revived.outer as Signal<{ inner: Signal<number> }>;
    assert.equal(outer.value.inner.value, 1);
  });
  await t.step("a key named like the wire format is just data", () => {
    assert.deepEqual(roundTrip({ v: 1, s: [["x"]] }), { v: 1, s: [["x"]] });
  });
  await t.step(
    "undefined props are dropped; undefined in arrays becomes null",
    () => {
      assert.deepEqual(roundTrip({ a: undefined, b: [undefined] }), {
        b: [null],
      });
    },
  );
});

Deno.test("serializeProps() output cannot break out of a <script> element", () => {
  const text = serializeProps({
    title: "</script><script>alert(1)</script>",
    c: "<!--",
    l: "\u2028",
  });
  assert.doesNotMatch(text, /</);
  assert.doesNotMatch(text, /\u2028/);
  assert.equal(
    (JSON.parse(text) as SerializedProps).v &&
      (roundTrip({ t: "</script>" }).t),
    "</script>",
  );
});

Deno.test("serializeProps() names the prop it cannot serialize", () => {
  assert.throws(
    () => serializeProps({ onClick: () => {} }),
    /Cannot serialize props.onClick: a function is not data/,
  );
  assert.throws(
    () => serializeProps({ when: new Date() }),
    /props.when: Date is not a plain object/,
  );
  assert.throws(
    () => serializeProps({ list: [1, Infinity] }),
    /props.list.1: Infinity is not finite/,
  );
  assert.throws(() => serializeProps({ n: 1n }), /a bigint is not data/);
});
