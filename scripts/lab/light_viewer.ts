/**
 * Light viewers (`deno task swarm --light N`): extra peers for a machine
 * whose real players run out. The lab origin serves their page at
 * `/lab/light?channel=<id>` and its code (light_client.ts, bundled once
 * per process) at `/lab/light.js`.
 * @module
 */

/** The page a light viewer opens (on its own shaped access, like a player). */
export function lightViewerPath(channelId: string): string {
  return `/lab/light?channel=${encodeURIComponent(channelId)}&debug=p2p`;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>Light viewer</title>
<section class="p2p-panel"></section>
<script type="module" src="/lab/light.js"></script>`;

let bundled: Promise<Uint8Array<ArrayBuffer>> | undefined;

/** light_client.ts as one browser module, built once per process. */
function bundle(): Promise<Uint8Array<ArrayBuffer>> {
  bundled ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "redflix-light-" });
    try {
      const output = `${dir}/light.js`;
      const { code, stderr } = await new Deno.Command(Deno.execPath(), {
        args: [
          "bundle",
          "--platform=browser",
          "--minify",
          "--output",
          output,
          new URL("./light_client.ts", import.meta.url).pathname,
        ],
        // p2p-media-loader's self-contained browser build, as the islands use.
        env: { DENO_CONDITIONS: "p2pml:core-as-bundle", NO_COLOR: "1" },
        stdout: "null",
        stderr: "piped",
      }).output();
      if (code !== 0) {
        throw new Error(
          `Bundling the light viewer failed (exit ${code}):\n${
            new TextDecoder().decode(stderr)
          }`,
        );
      }
      return await Deno.readFile(output);
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  })();
  return bundled;
}

/** Build the light viewer's code now, before any viewer waits on it. */
export async function prepareLightViewer(): Promise<void> {
  await bundle();
}

/** The light viewer's page or code, or `undefined` for any other path. */
export async function serveLightViewer(
  path: string,
): Promise<Response | undefined> {
  if (path === "/lab/light") {
    return new Response(PAGE, {
      headers: { "content-type": "text/html; charset=utf-8" },
    });
  }
  if (path === "/lab/light.js") {
    return new Response(await bundle(), {
      headers: { "content-type": "text/javascript; charset=utf-8" },
    });
  }
  return undefined;
}
