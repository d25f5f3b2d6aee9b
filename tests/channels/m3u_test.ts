import assert from "node:assert/strict";
import { parseExtinf, parseM3u } from "../../channels/m3u.ts";

const fixture = await Deno.readTextFile(
  new URL("../fixtures/channels.m3u", import.meta.url),
);

Deno.test("parseExtinf() reads attributes and a name that contains commas", () => {
  const { attributes, name } = parseExtinf(
    '#EXTINF:-1 tvg-id="a,b" group-title="Esportes",Canal, Ao Vivo',
  );
  assert.deepEqual(attributes, { "tvg-id": "a,b", "group-title": "Esportes" });
  assert.equal(name, "Canal, Ao Vivo");
});

Deno.test("parseM3u() reads an IPTV playlist into channels", async (t) => {
  const { channels, problems } = parseM3u(fixture, "channels.m3u");

  await t.step("good entries become channels with the RedFlix fields", () => {
    assert.deepEqual(channels.map((c) => c.id), [
      "globo-sp",
      "canal-esporte-ao-vivo-1080p",
      "embed",
    ]);
    assert.deepEqual(channels[0], {
      id: "globo-sp",
      name: "Globo SP HD",
      url: "https://cdn.example/globo/master.m3u8",
      logo: "https://logos.example/globo.png",
      category: "Abertos",
      quality: "HD",
      programs: [],
      guideId: "globo-sp",
    });
  });
  await t.step(
    "id falls back to a slug of the name; quality comes from the name",
    () => {
      assert.equal(channels[1]?.name, "Canal Esporte, Ao Vivo (1080p)");
      assert.equal(channels[1]?.quality, "1080p");
      assert.equal(channels[1]?.category, "Esportes");
      assert.equal(
        channels[1]?.url,
        "https://cdn.example/esporte/index.m3u8?token=abc",
      );
    },
  );
  await t.step(
    "bad entries are reported with file and line, and skipped",
    () => {
      assert.deepEqual(problems, [
        {
          where: "channels.m3u:7",
          message:
            'Invalid url: scheme "javascript:" is not allowed (http or https only)',
        },
        { where: "channels.m3u:9", message: 'Entry "Lonely Entry" has no URL' },
        {
          where: "channels.m3u:10",
          message:
            'Invalid logo: scheme "data:" is not allowed (http or https only)',
        },
        {
          where: "channels.m3u:12",
          message: "URL without a preceding #EXTINF line",
        },
        {
          where: "channels.m3u:13",
          message: 'Duplicate channel id "globo-sp"',
        },
      ]);
    },
  );
});

Deno.test("parseM3u() survives hostile and broken input", async (t) => {
  await t.step("no header: reported, entries still read", () => {
    const { channels, problems } = parseM3u(
      "#EXTINF:-1,A\nhttps://a.example/a.m3u8\n",
      "x.m3u",
    );
    assert.equal(channels.length, 1);
    assert.deepEqual(problems, [{
      where: "x.m3u:1",
      message: "Missing #EXTM3U header; reading on",
    }]);
  });
  await t.step("CRLF line endings and a BOM", () => {
    const { channels } = parseM3u(
      "\uFEFF#EXTM3U\r\n#EXTINF:-1,B\r\nhttps://b.example/b.m3u8\r\n",
      "y.m3u",
    );
    assert.equal(channels[0]?.url, "https://b.example/b.m3u8");
  });
  await t.step("a trailing entry without URL", () => {
    const { problems } = parseM3u("#EXTM3U\n#EXTINF:-1,C", "z.m3u");
    assert.deepEqual(problems, [{
      where: "z.m3u:2",
      message: 'Entry "C" has no URL',
    }]);
  });
  await t.step("binary garbage yields problems, not exceptions", () => {
    const garbage = String.fromCharCode(
      ...Array.from({ length: 2000 }, (_, i) => (i * 7919) % 256),
    );
    const { channels } = parseM3u(garbage, "g.m3u");
    assert.equal(channels.length, 0);
  });
  await t.step("an overlong name is refused", () => {
    const { problems } = parseM3u(
      `#EXTM3U\n#EXTINF:-1,${"x".repeat(500)}\nhttps://a.example/a.m3u8`,
      "l.m3u",
    );
    assert.match(
      problems[0]?.message ?? "",
      /Invalid name: 500 characters, at most 120/,
    );
  });
});

Deno.test("parseM3u() on a real-world-shaped 20,000-entry playlist: header guides, odd attributes, hostile entries", () => {
  const lines = [
    '\uFEFF#EXTM3U x-tvg-url="https://epg.example/guide.xml.gz,https://epg.example/b.xml, javascript:alert(1)" url-tvg="ignored"',
  ];
  for (let i = 0; i < 20_000; i++) {
    lines.push(
      `#EXTINF:-1 tvg-id="Ch${i}.br" tvg-name="Canal, ${i}" group-title="Filmes; Séries" catchup="default",Canal ${i}, "Ação"`,
      "#EXTVLCOPT:http-referrer=https://site.example/",
      "#KODIPROP:inputstream=inputstream.adaptive",
      "#EXTGRP:Filmes",
      i % 1000 === 7
        ? "javascript:alert(document.cookie)"
        : i % 1000 === 8
        ? "rtmp://cdn.example/live"
        : `https://cdn.example/${i}/index.m3u8`,
    );
  }
  const { channels, problems, guideUrls } = parseM3u(
    lines.join("\r\n"),
    "big.m3u",
  );
  assert.equal(channels.length, 20_000 - 40);
  assert.equal(problems.length, 40);
  assert.match(problems[0]!.where, /^big\.m3u:\d+$/);
  assert.deepEqual(guideUrls, [
    "https://epg.example/guide.xml.gz",
    "https://epg.example/b.xml",
  ]);
  assert.equal(channels[0]!.name, 'Canal 0, "Ação"');
  assert.equal(channels[0]!.category, "Filmes");
  assert.equal(channels[0]!.guideId, "Ch0.br");
});
