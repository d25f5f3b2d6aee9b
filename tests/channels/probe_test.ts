import assert from "node:assert/strict";
import { probeStreamKind } from "../../channels/probe.ts";
import { startTestServer } from "../helpers/server.ts";

Deno.test("probeStreamKind() reads live or VOD from real playlists over HTTP", async () => {
  const origin = await startTestServer({ buildDir: false });
  try {
    const fetcher = (url: string) => fetch(url);
    assert.equal(
      await probeStreamKind(`${origin.url}/media/demo/master.m3u8`, fetcher),
      "vod",
    );
    assert.equal(
      await probeStreamKind(
        `${origin.url}/media/demo/180p/index.m3u8`,
        fetcher,
      ),
      "vod",
    );
    assert.equal(
      await probeStreamKind(`${origin.url}/live/demo/master.m3u8`, fetcher),
      "live",
    );
    assert.equal(
      await probeStreamKind(`${origin.url}/live/demo/360p.m3u8`, fetcher),
      "live",
    );
    // The URL says nothing: a live playlist named like a VOD file is still live.
    assert.equal(
      await probeStreamKind(`${origin.url}/nope/index.m3u8`, fetcher),
      "unknown",
    );
    assert.equal(
      await probeStreamKind(`${origin.url}/styles.css`, fetcher),
      "unknown",
    );
    assert.equal(
      await probeStreamKind("http://127.0.0.1:9/x.m3u8", fetcher),
      "unknown",
    );
  } finally {
    await origin.close();
  }
});

Deno.test("an M3U catalog marks live and VOD from the playlists, and the channel list shows it", async () => {
  const origin = await startTestServer({ buildDir: false });
  const file = await Deno.makeTempFile({ suffix: ".m3u" });
  await Deno.writeTextFile(
    file,
    [
      "#EXTM3U",
      '#EXTINF:-1 tvg-id="news-vod" group-title="Notícias",Arquivo',
      // An URL that looks live but is VOD, and one that looks VOD but is live.
      `${origin.url}/media/demo/master.m3u8?live=1`,
      '#EXTINF:-1 tvg-id="news-live" group-title="Notícias",Jornal',
      `${origin.url}/live/demo/master.m3u8?type=vod`,
      '#EXTINF:-1 tvg-id="broken" group-title="Notícias",Quebrado',
      "http://127.0.0.1:9/down.m3u8",
    ].join("\n"),
  );
  const site = await startTestServer({ buildDir: false, channelsFile: file });
  try {
    const html = await (await fetch(`${site.url}/`, {
      headers: { "accept-language": "en" },
    })).text();
    assert.match(
      html,
      /<li class="channel-card" data-kind="vod">[\s\S]*?Arquivo/,
    );
    assert.match(
      html,
      /<li class="channel-card" data-kind="live">[\s\S]*?● LIVE[\s\S]*?Jornal/,
    );
    assert.match(
      html,
      /<li class="channel-card" data-kind="unknown">[\s\S]*?Quebrado/,
    );
  } finally {
    await site.close();
    await origin.close();
    await Deno.remove(file);
  }
});
