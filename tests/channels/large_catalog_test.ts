/**
 * A real-world-sized IPTV catalog against the real server: pages stay light
 * whatever the catalog holds, search and categories reach every channel.
 */
import assert from "node:assert/strict";
import { startTestServer } from "../helpers/server.ts";
import { log } from "../../utils/log.ts";
import { Catalog } from "../../channels/catalog.ts";
import { numberedPage } from "../../utils/paging.ts";
import { CHANNELS_PER_PAGE } from "../../routes/index.tsx";

/** An M3U in the usual IPTV shape: BOM, CRLF, tvg-* attributes, VLC/Kodi lines. */
function iptvPlaylist(channels: number): string {
  const lines = ['\uFEFF#EXTM3U x-tvg-url="http://127.0.0.1:9/guide.xml.gz"'];
  for (let i = 0; i < channels; i++) {
    const name = i === 4321 ? "Canal Ação Profunda" : `Canal ${i} HD`;
    lines.push(
      `#EXTINF:-1 tvg-id="Canal${i}.br" tvg-name="${name}" tvg-logo="http://127.0.0.1:9/logo/${i}.png" group-title="Grupo ${
        i % 60
      }",${name}`,
      "#EXTVLCOPT:http-user-agent=Mozilla/5.0",
      "#KODIPROP:inputstream.adaptive.manifest_type=hls",
      `#EXTGRP:Grupo ${i % 60}`,
      `http://127.0.0.1:9/live/${i}/index.m3u8`,
    );
  }
  return lines.join("\r\n") + "\r\n";
}

Deno.test("numberedPage(): pages from 1, a page past the end is the last, junk is the first", () => {
  assert.deepEqual(numberedPage(null, 100, 48), {
    page: 1,
    pages: 3,
    start: 0,
    end: 48,
  });
  assert.deepEqual(numberedPage("3", 100, 48), {
    page: 3,
    pages: 3,
    start: 96,
    end: 100,
  });
  assert.equal(numberedPage("999999", 100, 48).page, 3);
  assert.equal(numberedPage("-2", 100, 48).page, 1);
  assert.equal(numberedPage("2e3", 100, 48).page, 1);
  assert.deepEqual(numberedPage("1", 0, 48), {
    page: 1,
    pages: 1,
    start: 0,
    end: 0,
  });
});

Deno.test("Catalog: category counts largest first; a channel's neighbours in its category", () => {
  const channel = (id: string, category: string) => ({
    id,
    name: id,
    url: `/media/${id}.m3u8`,
    logo: "",
    category,
    quality: "",
    programs: [],
  });
  const catalog = new Catalog([
    channel("a1", "A"),
    channel("b1", "B"),
    channel("a2", "A"),
    channel("a3", "A"),
    channel("a4", "A"),
    channel("b2", "B"),
    channel("c1", "C"),
  ]);
  assert.deepEqual(catalog.categoryCounts(), [
    { name: "A", count: 4 },
    { name: "B", count: 2 },
    { name: "C", count: 1 },
  ]);
  const ids = (channels: Array<{ id: string }>) => channels.map((c) => c.id);
  assert.deepEqual(
    ids(catalog.neighbours(catalog.get("a3")!, 3, () => true)),
    ["a2", "a3", "a4"],
  );
  assert.deepEqual(
    ids(catalog.neighbours(catalog.get("a4")!, 3, () => true)),
    ["a2", "a3", "a4"],
    "at the end, the window slides back",
  );
  assert.deepEqual(
    ids(catalog.neighbours(catalog.get("a1")!, 10, (c) => c.id !== "a2")),
    ["a1", "a3", "a4"],
  );
});

Deno.test("5,000 IPTV channels: the home and watch pages stay under 100 KB; search and pages reach every channel", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/channels.m3u`;
  await Deno.writeTextFile(file, iptvPlaylist(5000));
  log.setLevel("error"); // 5,000 refused probes of 127.0.0.1:9
  const server = await startTestServer({ channelsFile: file });
  try {
    const get = async (path: string) => {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 200, path);
      return await response.text();
    };
    const home = await get("/");
    assert.ok(home.length < 100_000, `home: ${home.length} bytes`);
    const cards = (html: string) =>
      (html.match(/class="channel-card"/g) ?? []).length;
    assert.equal(cards(home), CHANNELS_PER_PAGE);
    assert.match(home, /5000 (channels|canais)/);
    assert.match(home, /rel="next" href="\/\?page=2"/);
    assert.match(home, /Grupo 0 <span class="chip-count">84<\/span>/);

    const last = await get("/?page=999");
    assert.equal(cards(last), 5000 - 104 * CHANNELS_PER_PAGE, "the last page");
    assert.doesNotMatch(last, /rel="next"/);

    const found = await get("/?q=acao%20prof");
    assert.equal(
      cards(found),
      1,
      "accent-insensitive search, deep in the list",
    );
    assert.match(found, /Canal Ação Profunda/);

    const group = await get("/?category=Grupo%2059&page=2");
    assert.equal(cards(group), 83 - CHANNELS_PER_PAGE);
    assert.match(
      group,
      /href="\/\?category=Grupo\+59"[^>]*rel="prev"|rel="prev" href="\/\?category=Grupo\+59"/,
    );

    const categories = await get("/?categories=all");
    assert.equal(
      (categories.match(/<li><a href="\/\?category=/g) ?? []).length,
      60,
    );

    const watch = await get("/watch/canal4321-br");
    assert.ok(watch.length < 100_000, `watch: ${watch.length} bytes`);
  } finally {
    await server.close();
    log.setLevel("info");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("non-HLS entries say what the viewer gets: P2P only for HLS, DASH as a link, pages embedded", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/channels.m3u`;
  await Deno.writeTextFile(
    file,
    [
      "#EXTM3U",
      '#EXTINF:-1 tvg-id="hls",HLS Channel',
      "/media/demo/master.m3u8",
      '#EXTINF:-1 tvg-id="dash",DASH Channel',
      "http://127.0.0.1:9/dash/manifest.mpd",
      '#EXTINF:-1 tvg-id="page",Page Channel',
      "http://127.0.0.1:9/player.html",
      '#EXTINF:-1 tvg-id="rtmp",RTMP Channel',
      "rtmp://127.0.0.1/live/stream",
    ].join("\n"),
  );
  log.setLevel("error");
  const server = await startTestServer({ channelsFile: file });
  try {
    const home = await (await fetch(server.url)).text();
    assert.match(home, /HLS Channel[\s\S]*?plays-hls/);
    assert.match(home, /DASH Channel[\s\S]*?plays-link/);
    assert.match(home, /Page Channel[\s\S]*?plays-iframe/);
    assert.doesNotMatch(
      home,
      /RTMP Channel/,
      "rtmp:// is skipped with file:line",
    );
    const dash = await (await fetch(`${server.url}/watch/dash`)).text();
    assert.doesNotMatch(dash, /<iframe/);
    assert.doesNotMatch(dash, /data-island="Player"/, "no player, no P2P");
    assert.match(dash, /href="http:\/\/127\.0\.0\.1:9\/dash\/manifest\.mpd"/);
    assert.match(dash, /plays-link/);
    const page = await (await fetch(`${server.url}/watch/page`)).text();
    assert.match(
      page,
      /<iframe[^>]+src="http:\/\/127\.0\.0\.1:9\/player\.html"/,
    );
    assert.match(page, /plays-iframe/);
  } finally {
    await server.close();
    log.setLevel("info");
    await Deno.remove(dir, { recursive: true });
  }
});
