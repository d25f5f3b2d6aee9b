/**
 * The channel pages at any catalog size: the home page, a search and a
 * watch page rendered by the real app for catalogs of 10, 1,000 and 20,000
 * channels. Server time should stay flat and page size bounded as the
 * catalog grows (`deno bench -A bench/pages_bench.ts`; sizes are printed).
 */
import manifest from "../fresh.gen.ts";
import { type App, createApp } from "../app/mod.ts";
import { log } from "../utils/log.ts";

const SIZES = [10, 1_000, 20_000];
const info = {
  remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 },
  completed: Promise.resolve(),
};

log.setLevel("error");
const dir = await Deno.makeTempDir({ prefix: "redflix-pages-" });
const apps: Array<{ size: number; app: App }> = [];
for (const size of SIZES) {
  const lines = ['#EXTM3U x-tvg-url="http://127.0.0.1:9/guide.xml"'];
  for (let i = 0; i < size; i++) {
    lines.push(
      `#EXTINF:-1 tvg-id="Canal${i}.br" tvg-logo="http://127.0.0.1:9/${i}.png" group-title="Grupo ${
        i % 40
      }",Canal ${i} HD`,
      `http://127.0.0.1:9/live/${i}/index.m3u8`,
    );
  }
  const file = `${dir}/channels_${size}.m3u`;
  await Deno.writeTextFile(file, lines.join("\r\n"));
  const app = await createApp(manifest, {
    channelsFile: file,
    watchCatalog: false,
    fetchRemote: () => Promise.reject(new Error("no network in benchmarks")),
  });
  apps.push({ size, app });
}

async function get(
  app: App,
  path: string,
): Promise<number> {
  const response = await app.handler(
    new Request(`http://localhost${path}`),
    info,
  );
  return (await response.arrayBuffer()).byteLength;
}

const PATHS = {
  home: "/",
  search: "/?q=canal%20199",
  watch: "/watch/canal7-br",
};

const sizes: Record<string, string> = {};
for (const { size, app } of apps) {
  for (const [name, path] of Object.entries(PATHS)) {
    sizes[`${name}, ${size} channels`] = `${
      ((await get(app, path)) / 1024).toFixed(1)
    } KB`;
  }
}
console.log("page sizes:", sizes);

for (const [name, path] of Object.entries(PATHS)) {
  for (const { size, app } of apps) {
    Deno.bench({
      name: `${name}, ${size} channels`,
      group: name,
      baseline: size === SIZES[0],
      async fn() {
        await get(app, path);
      },
    });
  }
}

globalThis.addEventListener("unload", () => {
  for (const { app } of apps) app.close();
  Deno.removeSync(dir, { recursive: true });
});
