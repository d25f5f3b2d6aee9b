import assert from "node:assert/strict";

/**
 * The layers, lowest first: a module may import its own folder and any
 * folder below it, never one above. Tooling (scripts, bench, tests) may
 * import anything.
 */
const LAYERS: Record<string, number> = {
  utils: 0,
  runtime: 1,
  i18n: 1,
  live: 1,
  channels: 2,
  tracker: 3,
  p2p: 3,
  analytics: 4,
  components: 5,
  player: 6,
  islands: 7,
  app: 8,
  routes: 9,
  "(root)": 10,
};

const ROOT = new URL("../", import.meta.url);

async function* sources(
  dir: URL,
  folder: string,
): AsyncGenerator<[string, URL]> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory && !entry.name.startsWith(".")) {
      yield* sources(new URL(`${entry.name}/`, dir), folder);
    } else if (/\.(ts|tsx)$/.test(entry.name)) {
      yield [folder, new URL(entry.name, dir)];
    }
  }
}

function folderOf(url: URL): string {
  const path = url.pathname.slice(ROOT.pathname.length);
  return path.includes("/") ? path.split("/")[0]! : "(root)";
}

Deno.test("no import runs back up the layers", async () => {
  const upward: string[] = [];
  let checked = 0;
  const files: Array<[string, URL]> = [];
  for (const folder of Object.keys(LAYERS)) {
    if (folder === "(root)") continue;
    for await (const file of sources(new URL(`${folder}/`, ROOT), folder)) {
      files.push(file);
    }
  }
  for (const name of ["main.ts", "dev.ts", "fresh.gen.ts"]) {
    files.push(["(root)", new URL(name, ROOT)]);
  }
  for (const [folder, file] of files) {
    const text = await Deno.readTextFile(file);
    for (const [, specifier] of text.matchAll(/from\s+"(\.{1,2}\/[^"]+)"/g)) {
      const target = folderOf(new URL(specifier!, file));
      checked++;
      if ((LAYERS[target] ?? Infinity) > LAYERS[folder]!) {
        upward.push(
          `${
            file.pathname.slice(ROOT.pathname.length)
          } → ${specifier} (${folder} → ${target})`,
        );
      }
    }
  }
  assert.ok(checked > 200, `${checked} imports checked`);
  assert.deepEqual(upward, [], "imports that run back up the layers");
});
