import assert from "node:assert/strict";
import { probeStream } from "../../channels/probe.ts";
import { startTestServer } from "../helpers/server.ts";

/** Fetch as the app does: no redirect followed by fetch itself. */
const fetcher = (url: string) => fetch(url, { redirect: "manual" });

Deno.test("probeStream() reads live or VOD and the top bitrate from real playlists over HTTP", async () => {
  const origin = await startTestServer({ buildDir: false });
  try {
    const kind = async (url: string) =>
      (await probeStream(url, { fetcher })).kind;
    assert.deepEqual(
      await probeStream(`${origin.url}/media/demo/master.m3u8`, { fetcher }),
      { kind: "vod", peakBitrate: 528_000 },
    );
    assert.equal(await kind(`${origin.url}/media/demo/180p/index.m3u8`), "vod");
    assert.equal(await kind(`${origin.url}/live/demo/master.m3u8`), "live");
    assert.equal(await kind(`${origin.url}/live/demo/360p.m3u8`), "live");
    // The URL says nothing: a live playlist named like a VOD file is still live.
    assert.equal(await kind(`${origin.url}/nope/index.m3u8`), "unknown");
    assert.equal(await kind(`${origin.url}/styles.css`), "unknown");
    assert.equal(await kind("http://127.0.0.1:9/x.m3u8"), "unknown");
  } finally {
    await origin.close();
  }
});

/** An upstream the catalog points at, controlled by whoever runs it. */
function upstream(handler: (path: string) => Response) {
  let bytesSent = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => handler(new URL(req.url).pathname),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    get bytesSent() {
      return bytesSent;
    },
    count(n: number) {
      bytesSent += n;
    },
    close: () => server.shutdown(),
  };
}

const MEDIA =
  "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg.ts\n#EXT-X-ENDLIST\n";

Deno.test("probeStream() cannot be steered to private addresses, endless redirects or huge bodies", async (t) => {
  // "Internal" services on loopback that an attacker wants a yes/no signal from.
  const internal = upstream(() => new Response(MEDIA));
  const evil = upstream((path) => {
    if (path === "/variant.m3u8") {
      return new Response(
        `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\n${internal.url}/admin.m3u8\n`,
      );
    }
    if (path === "/redirect.m3u8") {
      return Response.redirect(`${internal.url}/admin.m3u8`, 302);
    }
    if (path.startsWith("/loop")) {
      const n = Number(path.slice(5, -5));
      return n > 0
        ? Response.redirect(`${evil.url}/loop${n - 1}.m3u8`, 302)
        : new Response(MEDIA);
    }
    if (path === "/huge.m3u8") {
      const chunk = new TextEncoder().encode(
        "#EXT-X-COMMENT " + "x".repeat(65_000) + "\n",
      );
      let sent = 0;
      return new Response(
        new ReadableStream({
          pull(controller) {
            if (sent >= 300_000_000) return controller.close();
            controller.enqueue(chunk);
            sent += chunk.length;
            evil.count(chunk.length);
          },
        }),
      );
    }
    return new Response("not found", { status: 404 });
  });
  try {
    await t.step("a variant on another private origin is refused", async () => {
      const result = await probeStream(`${evil.url}/variant.m3u8`, { fetcher });
      assert.equal(result.kind, "unknown");
      assert.match(result.refused ?? "", /private, loopback or link-local/);
    });
    await t.step(
      "a redirect to another private origin is refused",
      async () => {
        const result = await probeStream(`${evil.url}/redirect.m3u8`, {
          fetcher,
        });
        assert.match(result.refused ?? "", /private, loopback or link-local/);
      },
    );
    await t.step(
      "the catalog entry's own origin may be private (the operator chose it)",
      async () => {
        assert.equal(
          (await probeStream(`${internal.url}/admin.m3u8`, { fetcher })).kind,
          "vod",
        );
      },
    );
    await t.step("PROBE_ALLOW_PRIVATE lifts the rule", async () => {
      assert.equal(
        (await probeStream(`${evil.url}/variant.m3u8`, {
          fetcher,
          allowPrivate: true,
        })).kind,
        "vod",
      );
    });
    await t.step("at most 3 redirects", async () => {
      assert.equal(
        (await probeStream(`${evil.url}/loop3.m3u8`, { fetcher })).kind,
        "vod",
      );
      const result = await probeStream(`${evil.url}/loop4.m3u8`, { fetcher });
      assert.match(result.refused ?? "", /more than 3 redirects/);
    });
    await t.step(
      "host names that resolve to private addresses, and metadata IPs",
      async () => {
        // A public CDN entry that redirects to a name resolving inside the network.
        const result = await probeStream("http://cdn.example/live.m3u8", {
          fetcher: (url) =>
            url.startsWith("http://cdn.example/")
              ? Promise.resolve(
                Response.redirect("http://db.internal.example/x.m3u8", 302),
              )
              : Promise.reject(new Error(`never fetched: ${url}`)),
          resolve: (host) =>
            Promise.resolve(
              host === "db.internal.example"
                ? [new Uint8Array([10, 0, 0, 5])]
                : [],
            ),
        });
        assert.match(result.refused ?? "", /private/);
        const entry = upstream(() =>
          Response.redirect("http://169.254.169.254/latest/meta-data", 302)
        );
        try {
          const metadata = await probeStream(`${entry.url}/x.m3u8`, {
            fetcher,
          });
          assert.match(metadata.refused ?? "", /link-local/);
        } finally {
          await entry.close();
        }
      },
    );
    await t.step("a 300 MB playlist is read no further than 1 MB", async () => {
      const before = Deno.memoryUsage().rss;
      const result = await probeStream(`${evil.url}/huge.m3u8`, { fetcher });
      assert.equal(result.kind, "unknown");
      assert.ok(
        evil.bytesSent < 20_000_000,
        `the upstream sent ${evil.bytesSent} bytes before the probe hung up`,
      );
      const grown = Deno.memoryUsage().rss - before;
      assert.ok(grown < 50_000_000, `RSS grew ${grown} bytes`);
    });
  } finally {
    await evil.close();
    await internal.close();
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
