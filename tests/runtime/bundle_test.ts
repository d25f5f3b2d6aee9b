import assert from "node:assert/strict";
import {
  buildIslands,
  IslandBundles,
  readBuild,
  writeBuild,
} from "../../runtime/bundle.ts";

const root = new URL("../../", import.meta.url);

Deno.test("buildIslands() bundles the boot module and islands, content-addressed", async (t) => {
  const build = await buildIslands(root, ["./islands/Player.tsx"]);

  await t.step(
    "entries land at known paths; hls.js is split into a lazy chunk",
    () => {
      assert.equal(build.boot, "runtime/client/boot.js");
      assert.deepEqual(build.islands, { Player: "islands/Player.js" });
      const player = new TextDecoder().decode(
        build.files.get("islands/Player.js"),
      );
      assert.ok(
        player.length < 50_000,
        `the island entry stays small (${player.length} bytes)`,
      );
      const largest = Math.max(
        ...[...build.files.values()].map((f) => f.length),
      );
      assert.ok(largest > 300_000, "hls.js lives in its own chunk");
      assert.match(build.buildId, /^[0-9a-f]{16}$/);
    },
  );

  await t.step(
    "a build written to disk reads back identical (deno task build → Deploy)",
    async () => {
      const dir = new URL(`file://${await Deno.makeTempDir()}/`);
      try {
        await writeBuild(build, dir);
        const read = await readBuild(dir);
        assert.equal(read?.buildId, build.buildId);
        assert.deepEqual(
          [...read!.files.keys()].sort(),
          [...build.files.keys()].sort(),
        );
        assert.equal(await readBuild(new URL("missing/", dir)), undefined);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );

  await t.step(
    "IslandBundles loads once and serves under the build id",
    async () => {
      let loads = 0;
      const bundles = new IslandBundles(() => {
        loads++;
        return Promise.resolve(build);
      });
      const assets = await bundles.assets();
      assert.equal(
        assets.boot,
        `/_islands/${build.buildId}/runtime/client/boot.js`,
      );
      // The player's page preloads its island, boot, and the lazy chunks
      // (hls.js, p2p-media-loader) its code imports later.
      const preload = assets.preload?.Player ?? [];
      const base = `/_islands/${build.buildId}/`;
      assert.ok(preload.includes(assets.islands.Player!));
      assert.ok(preload.includes(assets.boot));
      const [largest] = [...build.files].sort((a, b) =>
        b[1].length - a[1].length
      );
      assert.ok(preload.includes(base + largest![0]), "hls.js is preloaded");
      assert.equal(new Set(preload).size, preload.length, "each once");
      const p2pml = [...build.files].filter(([name, data]) =>
        name !== largest![0] &&
        new TextDecoder().decode(data).includes("p2pml-core")
      );
      assert.ok(p2pml.length > 0, "the build holds p2p-media-loader");
      for (const [name] of p2pml) {
        assert.ok(preload.includes(base + name), `${name} is preloaded`);
      }
      const response = await bundles.serve(assets.islands.Player!);
      assert.equal(response.status, 200);
      await response.body?.cancel();
      assert.equal(
        (await bundles.serve(`/_islands/${build.buildId}/nope.js`)).status,
        404,
      );
      assert.equal(loads, 1);
    },
  );
});

Deno.test("IslandBundles retries a failed build on the next request", async () => {
  let attempts = 0;
  const bundles = new IslandBundles(() => {
    attempts++;
    return Promise.reject(new Error("deno bundle failed"));
  });
  await assert.rejects(() => bundles.assets(), /deno bundle failed/);
  await assert.rejects(() => bundles.assets(), /deno bundle failed/);
  assert.equal(attempts, 2);
});

Deno.test("IslandBundles serves gzip to browsers that take it, the same bytes once inflated", async () => {
  const code = new TextEncoder().encode(
    "export const x = 1;\n".repeat(2000),
  );
  const bundles = new IslandBundles(() =>
    Promise.resolve({
      buildId: "b1",
      boot: "boot.js",
      islands: {},
      files: new Map([["boot.js", code]]),
    })
  );
  const plain = await bundles.serve("/_islands/b1/boot.js");
  assert.equal(plain.headers.get("content-encoding"), null);
  assert.deepEqual(new Uint8Array(await plain.arrayBuffer()), code);
  const gzipped = await bundles.serve(
    "/_islands/b1/boot.js",
    "gzip, deflate, br",
  );
  assert.equal(gzipped.headers.get("content-encoding"), "gzip");
  assert.equal(gzipped.headers.get("vary"), "accept-encoding");
  const bytes = new Uint8Array(await gzipped.arrayBuffer());
  assert.ok(bytes.length < code.length / 10, `${bytes.length} bytes`);
  const inflated = await new Response(
    new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")),
  ).bytes();
  assert.deepEqual(inflated, code);
  assert.equal(
    (await bundles.serve("/_islands/b2/boot.js", "gzip")).status,
    404,
  );
});
