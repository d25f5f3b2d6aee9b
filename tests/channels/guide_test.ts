import assert from "node:assert/strict";
import { ProgramGuide } from "../../channels/guide.ts";
import { GuideService, repeatDaily } from "../../channels/guide_service.ts";
import type { Channel } from "../../channels/channel.ts";
import { parseXmltvText, type XmltvGuide } from "../../channels/xmltv.ts";

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 25, 21, 30); // 18:30 in São Paulo

function channel(
  id: string,
  name: string,
  extra: Partial<Channel> = {},
): Channel {
  return {
    id,
    name,
    url: `/media/${id}.m3u8`,
    logo: "",
    category: "",
    quality: "",
    programs: [],
    ...extra,
  };
}

function guideOf(
  rows: Array<[channel: string, startH: number, hours: number, title: string]>,
  names: Record<string, string[]> = {},
): XmltvGuide {
  return {
    channels: new Map(Object.entries(names)),
    programmes: rows.map(([c, startH, hours, title]) => ({
      channel: c,
      start: NOW + startH * HOUR,
      stop: NOW + (startH + hours) * HOUR,
      title,
      description: "",
    })),
  };
}

Deno.test("ProgramGuide: matched by the playlist's tvg-id, then by display name; the catalog's own programs win", () => {
  const channels = [
    channel("globosp-br", "Globo SP", { guideId: "GloboSP.br" }),
    channel("esporte-interativo", "Esporte Interativo"),
    channel("cultura", "TV Cultura", {
      guideId: "Cultura.br",
      programs: [{ title: "From the catalog" }],
    }),
  ];
  const guide = ProgramGuide.match(channels, [
    guideOf(
      [
        ["globosp.br", -1, 2, "Novela"],
        ["globosp.br", 1, 1, "Jornal"],
        ["EI", 0, 1, "Futebol"],
        ["Cultura.br", 0, 1, "Ignored"],
        ["Unknown.br", 0, 1, "Nobody"],
      ],
      { EI: ["ESPORTE INTERATIVO"] },
    ),
  ], NOW);
  assert.deepEqual(guide.nowNext("globosp-br", NOW), {
    now: {
      start: NOW - HOUR,
      stop: NOW + HOUR,
      title: "Novela",
      description: "",
    },
    next: {
      start: NOW + HOUR,
      stop: NOW + 2 * HOUR,
      title: "Jornal",
      description: "",
    },
  });
  assert.equal(guide.nowNext("esporte-interativo", NOW).now?.title, "Futebol");
  assert.deepEqual(guide.nowNext("cultura", NOW), {});
  assert.equal(guide.channels, 2);
});

Deno.test("ProgramGuide keeps a window around now, in order, once per start", () => {
  const rows: Array<[string, number, number, string]> = [];
  for (let h = -48; h < 72; h++) rows.push(["a", h, 1, `Show ${h}`]);
  rows.push(["a", 2, 1, "Duplicate from a second guide"]);
  const guide = ProgramGuide.match(
    [channel("a", "A", { guideId: "a" })],
    [guideOf(rows.reverse())],
    NOW,
  );
  const kept = guide.between("a", -Infinity, Infinity);
  assert.ok(kept.every((p, i) => i === 0 || p.start > kept[i - 1]!.start));
  assert.ok(kept[0]!.start >= NOW - 12 * HOUR);
  assert.ok(kept.at(-1)!.start <= NOW + 36 * HOUR);
  assert.equal(guide.nowNext("a", NOW + 90 * 60_000).now?.title, "Show 1");
});

Deno.test("repeatDaily(): a one-day guide covers yesterday, today and tomorrow", () => {
  const day = parseXmltvText(
    `<tv><programme start="20260101000000 -0300" stop="20260101120000 -0300" channel="d"><title>Manhã</title></programme><programme start="20260101120000 -0300" stop="20260102000000 -0300" channel="d"><title>Tarde</title></programme></tv>`,
  );
  const moved = repeatDaily(day, NOW);
  const guide = ProgramGuide.match([channel("d", "D", { guideId: "d" })], [
    moved,
  ], NOW);
  assert.equal(guide.nowNext("d", NOW).now?.title, "Tarde");
  assert.equal(guide.nowNext("d", NOW).next?.title, "Manhã");
});

Deno.test("GuideService keeps the last good guide when a refresh fails, and says so", async () => {
  let healthy = true;
  const xml =
    `<tv><programme start="20261125180000 -0300" stop="20261125200000 -0300" channel="a"><title>Live</title></programme></tv>`;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => healthy ? new Response(xml) : new Response("down", { status: 503 }),
  );
  const url = `http://127.0.0.1:${server.addr.port}/guide.xml`;
  const service = new GuideService(
    [{ url }],
    [channel("a", "A", { guideId: "a" })],
    {
      fetcher: (u, signal) => fetch(u, { signal }),
      limits: { maxBytes: 1_000_000, timeoutMs: 5000 },
      now: () => NOW,
    },
  );
  try {
    await service.refresh();
    assert.equal(service.guide.nowNext("a", NOW).now?.title, "Live");
    assert.equal(service.state().failing, 0);
    assert.equal(service.state().lastSuccessAt, NOW);
    healthy = false;
    await service.refresh();
    assert.equal(
      service.guide.nowNext("a", NOW).now?.title,
      "Live",
      "the last good guide",
    );
    assert.equal(service.state().failing, 1);
    assert.match(service.state().lastError ?? "", /HTTP 503/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("the real server reads the playlist's x-tvg-url: cards, /api/guide, /health and /metrics", async () => {
  const now = Date.now();
  const stamp = (ms: number) =>
    new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14) + " +0000";
  const xml =
    `<tv><channel id="Globo.br"><display-name>Globo</display-name></channel>
    <programme start="${stamp(now - HOUR)}" stop="${
      stamp(now + HOUR)
    }" channel="Globo.br"><title>Novela &amp; cia</title><desc>&lt;b&gt;not bold&lt;/b&gt;</desc></programme>
    <programme start="${stamp(now + HOUR)}" stop="${
      stamp(now + 2 * HOUR)
    }" channel="Globo.br"><title>Jornal</title></programme></tv>`;
  const guideServer = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(xml),
  );
  const dir = await Deno.makeTempDir();
  const file = `${dir}/channels.m3u`;
  await Deno.writeTextFile(
    file,
    `#EXTM3U x-tvg-url="http://127.0.0.1:${guideServer.addr.port}/guide.xml"\n#EXTINF:-1 tvg-id="Globo.br",Globo\n/media/demo/master.m3u8\n`,
  );
  const { startTestServer } = await import("../helpers/server.ts");
  const { eventually } = await import("../helpers/eventually.ts");
  const server = await startTestServer({ channelsFile: file });
  try {
    await eventually(async () => {
      const health = await (await fetch(`${server.url}/health`)).json();
      assert.equal(health.guide?.programmes, 2);
    }, 5000);
    const health = await (await fetch(`${server.url}/health`)).json();
    assert.deepEqual(
      { sources: health.guide.sources, failing: health.guide.failing },
      { sources: 1, failing: 0 },
    );
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /^redflix_epg_programmes 2$/m);
    assert.match(metrics, /^redflix_epg_sources_failing 0$/m);
    const api = await (await fetch(`${server.url}/api/guide/globo-br`)).json();
    assert.deepEqual(api.programmes.map((p: { title: string }) => p.title), [
      "Novela & cia",
      "Jornal",
    ]);
    const home = await (await fetch(server.url)).text();
    assert.match(home, /Novela &amp; cia/, "rendered as text");
    assert.match(home, /Jornal/);
    const watch = await (await fetch(`${server.url}/watch/globo-br`)).text();
    assert.match(watch, /&lt;b(>|&gt;)not bold/, "untrusted text stays text");
    assert.doesNotMatch(watch, /<b>not bold/);
    assert.equal((await fetch(`${server.url}/api/guide/nope`)).status, 404);
  } finally {
    await server.close();
    await guideServer.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
