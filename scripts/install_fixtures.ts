/**
 * Installs the Node test fixture (bittorrent-tracker + @roamhq/wrtc) with
 * `npm ci --ignore-scripts`, once. `deno task test` runs it first, so test
 * files running in parallel never race to install it.
 * @module
 */

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

if (import.meta.main) await ensureWebTorrentClient();
