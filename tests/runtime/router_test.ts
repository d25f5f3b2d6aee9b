import assert from "node:assert/strict";
import {
  buildRouteTable,
  compareRoutePatterns,
  matchRoute,
  middlewaresFor,
  patternFromFile,
} from "../../runtime/router.ts";
import type { Manifest } from "../../runtime/types.ts";

Deno.test("patternFromFile() maps route files to URL patterns like Fresh 1.x", async (t) => {
  await t.step("index files map to their folder", () => {
    assert.equal(patternFromFile("./routes/index.tsx"), "/");
    assert.equal(patternFromFile("./routes/tracker/index.ts"), "/tracker");
  });
  await t.step("[param] becomes :param", () => {
    assert.equal(patternFromFile("./routes/watch/[id].tsx"), "/watch/:id");
    assert.equal(
      patternFromFile("./routes/tracker/peers/[infoHash].ts"),
      "/tracker/peers/:infoHash",
    );
  });
  await t.step("[...rest] becomes :rest*", () => {
    assert.equal(
      patternFromFile("./routes/docs/[...path].tsx"),
      "/docs/:path*",
    );
  });
  await t.step("route groups do not show in the URL", () => {
    assert.equal(patternFromFile("./routes/(site)/about.tsx"), "/about");
  });
  await t.step("bad files are refused with the file named", () => {
    assert.throws(
      () => patternFromFile("./islands/Player.tsx"),
      /Invalid route file: ".\/islands\/Player.tsx"/,
    );
    assert.throws(
      () => patternFromFile("./routes/a[b].tsx"),
      /Invalid route segment "a\[b\]"/,
    );
  });
});

Deno.test("compareRoutePatterns() puts static before dynamic before catch-all", () => {
  const sorted = [
    "/:path*",
    "/watch/:id",
    "/",
    "/watch/live",
    "/watch/:id/:rest*",
    "/health",
  ].sort(compareRoutePatterns);
  // Static routes first (longer first), then parameters, then catch-alls.
  assert.deepEqual(sorted, [
    "/watch/live",
    "/health",
    "/",
    "/watch/:id",
    "/watch/:id/:rest*",
    "/:path*",
  ]);
});

function page() {
  return null;
}

const manifest: Manifest = {
  baseUrl: "file:///app/fresh.gen.ts",
  islands: {},
  routes: {
    "./routes/index.tsx": { default: page },
    "./routes/watch/[id].tsx": {
      default: page,
      handler: { GET: () => new Response("x") },
    },
    "./routes/watch/live.tsx": { default: page },
    "./routes/[...path].tsx": { handler: () => new Response("rest") },
    "./routes/_app.tsx": { default: page },
    "./routes/_404.tsx": { default: page },
    "./routes/_middleware.ts": { handler: () => new Response("root") },
    "./routes/tracker/_middleware.ts": {
      handler: [() => new Response("a"), () => new Response("b")],
    },
  },
};

Deno.test("buildRouteTable() and matchRoute() find the most specific route", async (t) => {
  const table = buildRouteTable(manifest);
  const match = (path: string) =>
    matchRoute(table, new URL(path, "http://localhost"));

  await t.step("special files are not routes", () => {
    assert.ok(table.app);
    assert.ok(table.notFound);
    assert.equal(table.routes.length, 4);
  });
  await t.step("a static segment wins over a parameter", () => {
    assert.equal(match("/watch/live")?.route.pattern, "/watch/live");
    assert.equal(match("/watch/demo")?.route.pattern, "/watch/:id");
  });
  await t.step("parameters are decoded", () => {
    assert.deepEqual(match("/watch/caf%C3%A9")?.params, { id: "café" });
    assert.deepEqual(match("/watch/%E0%A4%A")?.params, { id: "%E0%A4%A" });
  });
  await t.step("a catch-all matches the rest, slashes included", () => {
    assert.deepEqual(match("/a/b/c")?.params, { path: "a/b/c" });
    assert.equal(match("/")?.route.pattern, "/");
  });
  await t.step("middlewares apply to their folder, outermost first", () => {
    assert.equal(middlewaresFor(table, "/").length, 1);
    assert.equal(middlewaresFor(table, "/tracker/stats").length, 3);
    assert.equal(middlewaresFor(table, "/trackers").length, 1);
  });
});

Deno.test("buildRouteTable() refuses modules with bad exports", () => {
  const bad = (routes: Manifest["routes"]) => () =>
    buildRouteTable({ ...manifest, routes });
  assert.throws(
    bad({ "./routes/x.ts": {} }),
    /Invalid route .\/routes\/x.ts: export a handler or a default component/,
  );
  assert.throws(
    bad({ "./routes/x.ts": { handler: { FETCH: () => new Response() } } }),
    /unknown method "FETCH"/,
  );
  assert.throws(
    bad({ "./routes/x.ts": { handler: { GET: 42 } } }),
    /GET is not a function/,
  );
  assert.throws(
    bad({ "./routes/x.ts": { handler: "nope" } }),
    /expected a function or an object/,
  );
  assert.throws(
    bad({ "./routes/_middleware.ts": { handler: [1] } }),
    /Invalid middleware/,
  );
});
