import assert from "node:assert/strict";
import { moduleImports, reachableFiles } from "../../runtime/module_graph.ts";

Deno.test("moduleImports(): static and lazy relative imports of bundler output, in order", () => {
  assert.deepEqual(
    moduleImports(
      'import{a as p}from"./chunk-A.js";import"./side.js";' +
        'const x=()=>import("../hls-B.js"),y=import( "./lib-C.js" );' +
        "import{b}from'./single.js';",
    ),
    ["./chunk-A.js", "./side.js", "../hls-B.js", "./lib-C.js", "./single.js"],
  );
  assert.deepEqual(
    moduleImports('import{h}from"preact";fetch("/api/x.js");'),
    [],
    "bare specifiers and URLs in other calls are not modules of the build",
  );
});

Deno.test("reachableFiles(): an entry and everything it loads, nearest first, each once", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const files = new Map<string, Uint8Array>([
    [
      "islands/Player.js",
      encode('import"../chunk-A.js";import("../hls.js");import("../lib.js")'),
    ],
    ["chunk-A.js", encode('import"./chunk-B.js"')],
    ["chunk-B.js", encode('import"./chunk-A.js"')], // a cycle
    ["hls.js", encode("export default 1")],
    ["lib.js", encode('import"./core.js";import"./gone.js"')],
    ["core.js", encode("")],
    ["islands/Other.js", encode('import"../chunk-A.js"')],
  ]);
  assert.deepEqual(reachableFiles("islands/Player.js", files), [
    "islands/Player.js",
    "chunk-A.js",
    "hls.js",
    "lib.js",
    "chunk-B.js",
    "core.js",
  ]);
  assert.deepEqual(reachableFiles("islands/Other.js", files), [
    "islands/Other.js",
    "chunk-A.js",
    "chunk-B.js",
  ]);
});
