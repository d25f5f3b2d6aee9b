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
