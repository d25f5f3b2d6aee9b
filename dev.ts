/**
 * Development commands:
 * - `deno task dev`: regenerate `fresh.gen.ts`, then serve with islands
 *   rebuilt on every restart (`--watch` restarts on change).
 * - `deno task manifest`: regenerate `fresh.gen.ts`.
 * - `deno task build`: regenerate the manifest and prebuild islands into
 *   `_build/` (the build step for Deno Deploy).
 * @module
 */
import { buildIslands, writeBuild } from "./runtime/bundle.ts";
import { writeManifest } from "./runtime/manifest.ts";
import { log } from "./utils/log.ts";

const root = new URL("./", import.meta.url);
const command = Deno.args[0] ?? "dev";

if (await writeManifest(root)) {
  log.info("manifest.written", { file: "fresh.gen.ts" });
}
const { default: manifest } = await import("./fresh.gen.ts");

switch (command) {
  case "manifest":
    break;
  case "build": {
    const build = await buildIslands(root, Object.keys(manifest.islands));
    await writeBuild(build, new URL("_build/", root));
    log.info("islands.written", {
      dir: "_build/",
      buildId: build.buildId,
      files: build.files.size,
    });
    break;
  }
  case "dev": {
    const { start } = await import("./main.ts");
    await start(manifest, { buildDir: false });
    break;
  }
  default:
    console.error(`Unknown command "${command}": use dev, manifest or build`);
    Deno.exit(2);
}
