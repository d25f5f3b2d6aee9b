import assert from "node:assert/strict";
import {
  Catalog,
  loadCatalog,
  parseCatalog,
  parseJsonCatalog,
} from "../../channels/catalog.ts";
import {
  checkUrl,
  playerKind,
  qualityFromName,
  slugify,
} from "../../channels/channel.ts";
import { DEFAULT_CHANNELS } from "../../channels/default.ts";

Deno.test("channel helpers", async (t) => {
  await t.step("slugify() makes URL-safe ids", () => {
    assert.equal(slugify("Relógio  RedFlix!"), "relogio-redflix");
    assert.equal(slugify("¡!"), "");
  });
  await t.step("checkUrl() allows http(s) and site paths only", () => {
    assert.equal(
      checkUrl(" https://a.example/x.m3u8 ", "url"),
      "https://a.example/x.m3u8",
    );
    assert.equal(
      checkUrl("/media/demo/master.m3u8", "url"),
      "/media/demo/master.m3u8",
    );
    for (
      const bad of [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,x",
        "//evil.example/x",
        "file:///etc/passwd",
        "vbscript:x",
      ]
    ) {
      assert.throws(() => checkUrl(bad, "url"), /Invalid url/, bad);
    }
  });
  await t.step("playerKind() picks HLS for .m3u8 playlists only", () => {
    assert.equal(
      playerKind("https://a.example/live/index.m3u8?token=1"),
      "hls",
    );
    assert.equal(playerKind("/media/demo/master.M3U8"), "hls");
    assert.equal(playerKind("https://www.youtube.example/embed/abc"), "iframe");
  });
  await t.step("qualityFromName()", () => {
    assert.equal(qualityFromName("Canal FHD"), "FHD");
    assert.equal(qualityFromName("Canal (720P)"), "720p");
    assert.equal(qualityFromName("Canal"), "");
  });
});

Deno.test("parseJsonCatalog() validates each entry and reports the bad ones", () => {
  const text = JSON.stringify({
    channels: [
      {
        id: "a",
        name: "A",
        url: "https://a.example/a.m3u8",
        programs: ["News", { title: "Film", start: "20:00" }],
      },
      { name: "B" },
      "nope",
      {
        name: "C",
        url: "https://c.example/c.m3u8",
        programs: [{ start: "1" }],
      },
      { name: "A", url: "https://a.example/other.m3u8" },
    ],
  });
  const { channels, problems } = parseJsonCatalog(text, "c.json");
  assert.deepEqual(channels.map((c) => c.id), ["a"]);
  assert.deepEqual(channels[0]?.programs, [{ title: "News" }, {
    title: "Film",
    start: "20:00",
  }]);
  assert.deepEqual(problems, [
    { where: "c.json#1", message: 'Invalid channel "B": url is missing' },
    { where: "c.json#2", message: "Invalid channel: expected an object" },
    {
      where: "c.json#3",
      message: "Invalid programs[0]: title is missing",
    },
    { where: "c.json#4", message: 'Duplicate channel id "a"' },
  ]);
});

Deno.test("parseCatalog() tells JSON from M3U", () => {
  assert.equal(
    parseCatalog('[{"name":"A","url":"https://a.example/a.m3u8"}]', "list.txt")
      .channels.length,
    1,
  );
  assert.equal(
    parseCatalog("#EXTM3U\n#EXTINF:-1,A\nhttps://a.example/a.m3u8", "list")
      .channels.length,
    1,
  );
  assert.match(
    parseCatalog("{oops", "x.json").problems[0]?.message ?? "",
    /^Invalid JSON/,
  );
});

Deno.test("Catalog filters by accent-insensitive name and by category", () => {
  const catalog = new Catalog([
    ...DEFAULT_CHANNELS,
    {
      id: "x",
      name: "Esportes Mais",
      url: "https://x.example/x.m3u8",
      logo: "",
      category: "Esportes",
      quality: "",
      programs: [],
    },
  ]);
  assert.deepEqual(catalog.filter({ query: "RELOGIO" }).map((c) => c.id), [
    "relogio",
  ]);
  assert.deepEqual(catalog.filter({ category: "Esportes" }).map((c) => c.id), [
    "x",
  ]);
  assert.deepEqual(catalog.filter({ query: "demo", category: "Esportes" }), []);
  assert.deepEqual(catalog.categories(), ["Demo", "Esportes"]);
  assert.equal(catalog.get("demo")?.name, "RedFlix Demo");
});

Deno.test("loadCatalog() never leaves the site without channels", async (t) => {
  await t.step(
    "no file: the embedded default with the local demo channel",
    async () => {
      const catalog = await loadCatalog();
      assert.equal(catalog.get("demo")?.url, "/media/demo/master.m3u8");
    },
  );
  await t.step("a file: its channels", async () => {
    const catalog = await loadCatalog(
      new URL("../fixtures/channels.m3u", import.meta.url).pathname,
    );
    assert.deepEqual(catalog.channels.map((c) => c.id), [
      "globo-sp",
      "canal-esporte-ao-vivo-1080p",
      "embed",
    ]);
  });
  await t.step("a missing or useless file: the default", async () => {
    assert.ok((await loadCatalog("/nonexistent/channels.m3u")).get("demo"));
    const empty = await Deno.makeTempFile({ suffix: ".m3u" });
    await Deno.writeTextFile(empty, "#EXTM3U\n#EXTINF:-1,Bad\njavascript:x\n");
    assert.ok((await loadCatalog(empty)).get("demo"));
    await Deno.remove(empty);
  });
});
