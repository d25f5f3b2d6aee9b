import assert from "node:assert/strict";
import { signal } from "@preact/signals";
import { h } from "preact";
import { Head } from "../../runtime/head.ts";
import { registerIsland, renderDocument } from "../../runtime/render.ts";
import type { SerializedProps } from "../../runtime/serialize.ts";
import type { PageProps } from "../../runtime/types.ts";

function Counter({ start }: { start: number }) {
  return h("output", null, String(start));
}
function Outer({ label }: { label: string }) {
  return h("div", null, label, h(Counter, { start: 9 }));
}
registerIsland("Counter", Counter);
registerIsland("Outer", Outer);

const assets = () =>
  Promise.resolve({
    boot: "/_islands/abc/runtime/client/boot.js",
    islands: {
      Counter: "/_islands/abc/islands/Counter.js",
      Outer: "/_islands/abc/islands/Outer.js",
    },
    preload: {
      Counter: [
        "/_islands/abc/runtime/client/boot.js",
        "/_islands/abc/islands/Counter.js",
        "/_islands/abc/hls.js",
      ],
      Outer: [
        "/_islands/abc/runtime/client/boot.js",
        "/_islands/abc/islands/Outer.js",
      ],
    },
  });

function props(): PageProps {
  return {
    url: new URL("http://localhost/"),
    params: {},
    data: undefined,
    state: {},
    route: "/",
  };
}

function islandData(
  html: string,
): { modules: Record<string, string>; props: SerializedProps[] } {
  const json =
    /<script type="application\/json" id="__redflix_islands">(.*?)<\/script>/
      .exec(html)?.[1];
  assert.ok(json, "the page carries island data");
  return JSON.parse(json);
}

Deno.test("renderDocument() marks islands and writes their props", async (t) => {
  const page = () =>
    h(
      "main",
      null,
      h(Counter, { start: 1 }),
      h(Counter, { start: 2, live: signal(3) }),
    );
  const html = await renderDocument({ page, props: props(), assets });

  await t.step("each island is wrapped in a marker with its id", () => {
    assert.match(
      html,
      /<redflix-island data-island="Counter" data-id="0" style="display:contents"><output>1<\/output><\/redflix-island>/,
    );
    assert.match(html, /data-id="1"[^>]*><output>2<\/output>/);
  });
  await t.step("props are serialized, signals flagged", () => {
    const data = islandData(html);
    assert.deepEqual(data.props[1], {
      v: { start: 2, live: 3 },
      s: [["live"]],
    });
    assert.deepEqual(data.modules, {
      Counter: "/_islands/abc/islands/Counter.js",
    });
  });
  await t.step("the boot module is loaded once, at the end of the body", () => {
    assert.match(
      html,
      /<script type="module" src="\/_islands\/abc\/runtime\/client\/boot.js"><\/script><\/body><\/html>$/,
    );
    assert.ok(html.startsWith("<!DOCTYPE html>"));
  });
  await t.step(
    "what the islands load, lazy chunks too, is preloaded in the head, each once",
    () => {
      const head = /<head>(.*)<\/head>/.exec(html)?.[1] ?? "";
      const links = [
        ...head.matchAll(/<link rel="modulepreload" href="([^"]+)">/g),
      ]
        .map((match) => match[1]);
      assert.deepEqual(links, [
        "/_islands/abc/runtime/client/boot.js",
        "/_islands/abc/islands/Counter.js",
        "/_islands/abc/hls.js",
      ]);
    },
  );
});

Deno.test("renderDocument() hydrates an island inside an island as part of its parent", async () => {
  const html = await renderDocument({
    page: () => h(Outer, { label: "x" }),
    props: props(),
    assets,
  });
  assert.equal(html.match(/<redflix-island/g)?.length, 1);
  assert.deepEqual(Object.keys(islandData(html).modules), ["Outer"]);
  assert.doesNotMatch(
    html,
    /hls\.js/,
    "an island not on the page is not preloaded",
  );
});

Deno.test("renderDocument() adds no scripts to pages without islands", async () => {
  let asked = false;
  const html = await renderDocument({
    page: () => h("p", null, "static"),
    props: props(),
    assets: () => {
      asked = true;
      return assets();
    },
  });
  assert.doesNotMatch(html, /<script|modulepreload/);
  assert.equal(asked, false, "bundles are not built for pages that need none");
});

Deno.test("<Head> puts its children in the document head, escaped", async () => {
  const page = () =>
    h("p", null, h(Head, null, h("title", null, "A $& <b> title")), "body");
  const html = await renderDocument({ page, props: props(), assets });
  assert.match(
    html,
    /<head><meta charset="utf-8"\/><title>A \$&amp; &lt;b> title<\/title><\/head>/,
  );
});

Deno.test("renderDocument() refuses children on an island with a clear error", async () => {
  await assert.rejects(
    () =>
      renderDocument({
        page: () => h(Counter, { start: 1 }, "child"),
        props: props(),
        assets,
      }),
    /Island Counter was given children/,
  );
});
