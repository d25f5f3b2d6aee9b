import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "./helpers/server.ts";

async function text(server: TestServer, path: string, init?: RequestInit) {
  const response = await fetch(server.url + path, init);
  return { response, body: await response.text() };
}

Deno.test("the real server serves pages, islands, static files and errors over HTTP", async (t) => {
  const server = await startTestServer({ buildDir: false });
  try {
    await t.step(
      "/ lists the channels, in the browser's language",
      async () => {
        const pt = await text(server, "/", {
          headers: { "accept-language": "pt-BR" },
        });
        assert.equal(pt.response.status, 200);
        assert.equal(
          pt.response.headers.get("content-type"),
          "text/html; charset=utf-8",
        );
        assert.match(pt.body, /^<!DOCTYPE html><html lang="pt-BR">/);
        assert.match(pt.body, /RedFlix Demo/);
        assert.match(pt.body, /href="\/watch\/demo"/);
        assert.match(pt.body, />Buscar</);
        const en = await text(server, "/", {
          headers: { "accept-language": "en-US,en;q=0.9" },
        });
        assert.match(en.body, /<html lang="en">/);
        assert.match(en.body, />Search</);
        const forced = await text(server, "/?lang=en", {
          headers: { "accept-language": "pt-BR" },
        });
        assert.match(forced.body, /<html lang="en">/);
      },
    );

    await t.step(
      "/ filters by name and category without JavaScript",
      async () => {
        const found = await text(server, "/?q=rel%C3%B3gio");
        assert.match(found.body, /Relógio RedFlix/);
        assert.doesNotMatch(found.body, /RedFlix Demo<\/h2>/);
        const none = await text(server, "/?q=zzz&lang=en");
        assert.match(none.body, /No channels match your search/);
        const category = await text(server, "/?category=Demo");
        assert.match(
          category.body,
          /class="chip active" aria-current="page">Demo <span class="chip-count">3</,
        );
      },
    );

    let bootUrl = "";
    let islandUrl = "";
    await t.step(
      "/watch/demo renders the player island with its props",
      async () => {
        const { response, body } = await text(server, "/watch/demo");
        assert.equal(response.status, 200);
        assert.match(body, /<title>RedFlix Demo · RedFlix<\/title>/);
        assert.match(
          body,
          /<redflix-island data-island="Player" data-id="0"[^>]*><div class="player-frame"><div class="player" data-state="loading"/,
        );
        const data = JSON.parse(
          /id="__redflix_islands">(.*?)<\/script>/.exec(body)![1]!,
        );
        const { p2p, channel, lineup, locale } = data.props[0].v;
        assert.equal(locale, "pt-BR");
        assert.equal(channel.id, "demo");
        assert.equal(channel.url, "/media/demo/master.m3u8");
        assert.equal(channel.kind, "vod");
        assert.deepEqual(lineup.map((c: { id: string }) => c.id), [
          "demo",
          "ao-vivo",
        ], "HLS channels only");
        assert.equal(p2p.enabled, true);
        assert.equal(p2p.trackerUrl, null, "players use this site's tracker");
        assert.deepEqual(p2p.iceServers[0], {
          urls: "stun:stun.l.google.com:19302",
        });
        islandUrl = data.modules.Player;
        bootUrl = /<script type="module" src="([^"]+)"/.exec(body)![1]!;
        assert.match(
          bootUrl,
          /^\/_islands\/[0-9a-f]{16}\/runtime\/client\/boot\.js$/,
        );
      },
    );

    await t.step(
      "island bundles are JavaScript with immutable caching",
      async () => {
        for (const url of [bootUrl, islandUrl]) {
          const { response, body } = await text(server, url);
          assert.equal(response.status, 200, url);
          assert.equal(
            response.headers.get("content-type"),
            "text/javascript; charset=utf-8",
          );
          assert.equal(
            response.headers.get("cache-control"),
            "public, max-age=31536000, immutable",
          );
          assert.ok(body.length > 100);
        }
        const stale = await text(
          server,
          bootUrl.replace(/_islands\/[0-9a-f]+/, "_islands/0000000000000000"),
        );
        assert.equal(stale.response.status, 404);
      },
    );

    await t.step(
      "/watch/relogio embeds a non-HLS channel in a sandboxed iframe",
      async () => {
        const { body } = await text(server, "/watch/relogio");
        assert.match(
          body,
          // A same-site page gets no allow-same-origin: it could lift its own sandbox.
          /<iframe class="embed" src="\/embed\/clock.html"[^>]*sandbox="allow-scripts allow-presentation"/,
        );
        // No player: only the schedule island, which keeps "now" current.
        assert.doesNotMatch(body, /data-island="Player"/);
        assert.match(body, /data-island="Schedule"/);
      },
    );

    await t.step(
      "security headers: CSP on pages, nosniff and a referrer policy everywhere",
      async () => {
        const page = await fetch(server.url + "/watch/demo");
        await page.body?.cancel();
        const csp = page.headers.get("content-security-policy") ?? "";
        for (
          const directive of [
            "default-src 'self'",
            "script-src 'self'",
            "worker-src 'self' blob:",
            "media-src 'self' blob: https: http:",
            "connect-src 'self' ws: wss: https: http:",
            "frame-ancestors 'self'",
            "object-src 'none'",
          ]
        ) {
          assert.ok(csp.includes(directive), `CSP has ${directive}`);
        }
        assert.doesNotMatch(csp, /script-src[^;]*unsafe/);
        for (
          const path of [
            "/watch/demo",
            "/styles.css",
            "/media/demo/master.m3u8",
            "/tracker/stats",
            "/nope",
          ]
        ) {
          const response = await fetch(server.url + path);
          await response.body?.cancel();
          assert.equal(
            response.headers.get("x-content-type-options"),
            "nosniff",
            path,
          );
          assert.equal(
            response.headers.get("referrer-policy"),
            "strict-origin-when-cross-origin",
            path,
          );
        }
        const embed = await text(server, "/embed/clock.html");
        assert.ok(embed.response.headers.get("content-security-policy"));
        assert.doesNotMatch(
          embed.body,
          /<script>|<style>/,
          "the embed page works under the CSP",
        );
      },
    );

    await t.step("unknown channels and pages get a real 404 page", async () => {
      for (const path of ["/watch/nope", "/no/such/page"]) {
        const { response, body } = await text(server, path, {
          headers: { "accept-language": "en" },
        });
        assert.equal(response.status, 404, path);
        assert.match(body, /<h1>Page not found<\/h1>/);
      }
    });

    await t.step(
      "HEAD is derived from GET; other methods get 405 with Allow",
      async () => {
        const head = await fetch(server.url + "/watch/demo", {
          method: "HEAD",
        });
        assert.equal(head.status, 200);
        assert.equal(await head.text(), "");
        const post = await text(server, "/watch/demo", { method: "POST" });
        assert.equal(post.response.status, 405);
        assert.equal(post.response.headers.get("allow"), "GET, HEAD");
      },
    );

    await t.step(
      "static HLS media with MIME types and ETag revalidation",
      async () => {
        const master = await text(server, "/media/demo/master.m3u8");
        assert.equal(
          master.response.headers.get("content-type"),
          "application/vnd.apple.mpegurl",
        );
        assert.match(master.body, /^#EXTM3U/);
        assert.equal((master.body.match(/#EXT-X-STREAM-INF/g) ?? []).length, 2);
        const segment = await fetch(server.url + "/media/demo/360p/seg_000.ts");
        assert.equal(segment.headers.get("content-type"), "video/mp2t");
        const bytes = new Uint8Array(await segment.arrayBuffer());
        assert.equal(bytes[0], 0x47, "an MPEG-TS sync byte");
        const etag = segment.headers.get("etag")!;
        const again = await fetch(server.url + "/media/demo/360p/seg_000.ts", {
          headers: { "if-none-match": etag },
        });
        assert.equal(again.status, 304);
        await again.body?.cancel();
      },
    );

    await t.step(
      "the live demo channel: sliding playlists with short caching, long-cached segments",
      async () => {
        const master = await text(server, "/live/demo/master.m3u8");
        assert.equal(
          master.response.headers.get("content-type"),
          "application/vnd.apple.mpegurl",
        );
        assert.match(master.body, /\n360p\.m3u8\n/);
        const media = await text(server, "/live/demo/360p.m3u8");
        assert.equal(
          media.response.headers.get("cache-control"),
          "public, max-age=1",
        );
        assert.doesNotMatch(media.body, /#EXT-X-ENDLIST/);
        const segments = media.body.split("\n").filter((line) =>
          line.startsWith("/media/")
        );
        assert.equal(segments.length, 6);
        const segment = await fetch(server.url + segments[0]);
        assert.equal(segment.status, 200);
        assert.equal(
          segment.headers.get("cache-control"),
          "public, max-age=86400",
        );
        await segment.body?.cancel();
        const missing = await text(server, "/live/demo/4k.m3u8");
        assert.equal(missing.response.status, 404);
      },
    );

    await t.step("paths that try to leave static/ get 404", async () => {
      for (
        const path of [
          "/..%2fdeno.json",
          "/%2e%2e/main.ts",
          "/media/..%2f..%2fmain.ts",
        ]
      ) {
        const { response, body } = await text(server, path);
        assert.equal(response.status, 404, path);
        assert.doesNotMatch(body, /import/);
      }
    });
  } finally {
    await server.close();
  }
});

Deno.test("catalog text is untrusted: XSS payloads in an M3U render inert", async () => {
  const server = await startTestServer({
    buildDir: false,
    channelsFile: new URL("./fixtures/hostile.m3u", import.meta.url).pathname,
  });
  try {
    const list = await text(server, "/");
    assert.doesNotMatch(list.body, /<script>alert/);
    assert.doesNotMatch(list.body, /<img src=x/);
    assert.match(
      list.body,
      /&lt;script>alert\(&quot;name&quot;\)&lt;\/script> TV/,
    );
    assert.doesNotMatch(list.body, /bad-scheme|javascript:/);
    const watch = await text(server, "/watch/xss");
    assert.doesNotMatch(watch.body, /<script>alert/);
    const data = /id="__redflix_islands">(.*?)<\/script>/.exec(watch.body)![1]!;
    assert.doesNotMatch(data, /</);
    const web = await text(server, "/watch/web");
    assert.match(
      web.body,
      /sandbox="allow-scripts allow-same-origin allow-presentation"/,
      "another site keeps its origin",
    );
    assert.match(
      web.body,
      /src="https:\/\/player.example\/embed\?a=1&amp;b=%222%22"/,
    );
  } finally {
    await server.close();
  }
});

Deno.test("links and sandboxes stay on this site whatever the request path or catalog says", async (t) => {
  const file = await Deno.makeTempFile({ suffix: ".json" });
  // The site as viewers reach it (the Host header names it).
  const origin = "http://tv.redflix.example";
  await Deno.writeTextFile(
    file,
    JSON.stringify([
      { id: "own", name: "Own page", url: `${origin}/embed/clock.html` },
      { id: "slash", name: "Backslash", url: "/\\evil.example/x" },
      { id: "demo", name: "Demo", url: "/media/demo/master.m3u8" },
    ]),
  );
  const site = await startTestServer({ buildDir: false, channelsFile: file });
  const get = async (path: string, host = `127.0.0.1:${site.port}`) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: site.port });
    await conn.write(new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    ));
    return new TextDecoder().decode(
      await new Response(conn.readable).arrayBuffer(),
    );
  };
  try {
    await t.step(
      "GET //evil.example/x keeps the language link on this page",
      async () => {
        const html = await get("//evil.example/x");
        assert.match(html, /HTTP\/1.1 404/);
        const link = /class="lang-switch" href="([^"]*)"/.exec(html)?.[1];
        assert.equal(link, "?lang=en", "before: //evil.example/x?lang=en");
      },
    );
    await t.step(
      "an absolute catalog URL on this site's own origin gets no allow-same-origin",
      async () => {
        const body = await get("/watch/own", "tv.redflix.example");
        assert.match(body, /sandbox="allow-scripts allow-presentation"/);
        assert.doesNotMatch(body, /allow-same-origin/);
      },
    );
    await t.step("a backslash path is refused from the catalog", async () => {
      const response = await fetch(`${site.url}/watch/slash`);
      assert.equal(response.status, 404, "the entry was skipped");
      await response.body?.cancel();
    });
  } finally {
    await site.close();
    await Deno.remove(file);
  }
});
