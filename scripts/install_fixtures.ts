/**
 * Installs the Node test fixture (bittorrent-tracker + @roamhq/wrtc) with
 * `npm ci --ignore-scripts`, once, and has `deno bundle` fetch its bundler
 * (esbuild, from the npm registry) by bundling an island. `deno task test`
 * runs it first, so no test races to install them, and tests inside the
 * loopback-only namespace find them there.
 * @module
 */
import { buildIslands } from "../runtime/bundle.ts";

/** Where the fixture lives. */
export const WEBTORRENT_CLIENT_DIR = new URL(
  "../tests/fixtures/webtorrent_client/",
  import.meta.url,
);

/** Install the fixture unless it is already there. */
export async function ensureWebTorrentClient(): Promise<void> {
  try {
    await Deno.stat(
      new URL(
        "node_modules/bittorrent-tracker/package.json",
        WEBTORRENT_CLIENT_DIR,
      ),
    );
    return;
  } catch {
    // not installed yet
  }
  const { code, stderr } = await new Deno.Command("npm", {
    args: ["ci", "--ignore-scripts", "--no-audit", "--no-fund"],
    cwd: WEBTORRENT_CLIENT_DIR.pathname,
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(180_000),
  }).output();
  if (code !== 0) {
    throw new Error(
      `npm ci failed in ${WEBTORRENT_CLIENT_DIR.pathname}:\n${
        new TextDecoder().decode(stderr)
      }`,
    );
  }
}

/** Bundle the smallest island once, so `deno bundle` has its bundler cached. */
export async function ensureBundler(): Promise<void> {
  const island = "./islands/Schedule.tsx";
  const build = await buildIslands(new URL("../", import.meta.url), [island]);
  if (!build.files.size) throw new Error(`no bundle of ${island}`);
}

if (import.meta.main) {
  await ensureWebTorrentClient();
  await ensureBundler();
}
