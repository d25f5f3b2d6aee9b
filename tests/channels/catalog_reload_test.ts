import assert from "node:assert/strict";
import { startTestServer } from "../helpers/server.ts";
import { eventually } from "../helpers/eventually.ts";
import { catalogChanges } from "../../channels/catalog_reload.ts";
import { Catalog } from "../../channels/catalog.ts";

function playlist(names: string[]): string {
  return [
    "#EXTM3U",
    ...names.flatMap((name) => [
      `#EXTINF:-1 group-title="Teste",${name}`,
      "/media/demo/master.m3u8",
    ]),
  ].join("\n");
}

Deno.test("catalogChanges(): added and removed by id", () => {
  const of = (ids: string[]) =>
    new Catalog(ids.map((id) => ({
      id,
      name: id,
      url: "/x.m3u8",
      logo: "",
      category: "",
      quality: "",
      programs: [],
    })));
  assert.deepEqual(
    catalogChanges(of(["a", "b", "c"]), of(["b", "c", "d", "e"])),
    {
      added: 2,
      removed: 1,
    },
  );
});

Deno.test("the catalog reloads without a restart: on change and on SIGHUP; a broken file keeps the old one", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/channels.m3u`;
  await Deno.writeTextFile(file, playlist(["Um", "Dois", "Tres"]));
  const server = await startTestServer({ channelsFile: file });
  const cards = async () => {
    const html = await (await fetch(server.url)).text();
    return (html.match(/class="channel-card"/g) ?? []).length;
  };
  try {
    assert.equal(await cards(), 3);
    // Replaced as deploy tools do: a new file renamed over the old one.
    await Deno.writeTextFile(
      `${file}.new`,
      playlist(["Um", "Dois", "Tres", "Quatro"]),
    );
    await Deno.rename(`${file}.new`, file);
    await eventually(async () => assert.equal(await cards(), 4), 10_000);

    await Deno.writeTextFile(file, "garbage, no channels at all");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await cards(), 4, "a broken file keeps the catalog served");

    // The file is fixed, then the operator sends SIGHUP.
    await Deno.writeTextFile(file, playlist(["Cinco"]));
    Deno.kill(Deno.pid, "SIGHUP");
    await eventually(async () => assert.equal(await cards(), 1), 10_000);
    const watch = await fetch(`${server.url}/watch/cinco`);
    assert.equal(watch.status, 200, "new channels are served");
    await watch.body?.cancel();
    const gone = await fetch(`${server.url}/watch/um`);
    assert.equal(gone.status, 404, "removed channels are gone");
    await gone.body?.cancel();
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
