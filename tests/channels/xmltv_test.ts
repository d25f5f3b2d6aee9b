import assert from "node:assert/strict";
import {
  decodeXmlText,
  fetchXmltv,
  parseXmltvText,
} from "../../channels/xmltv.ts";

const LIMITS = { maxBytes: 1_000_000, timeoutMs: 5000 };

function guide(programmes: string, channels = ""): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<tv>${channels}${programmes}</tv>`;
}

Deno.test("XMLTV times: offsets, none (UTC), and unreadable ones skipped", () => {
  const { programmes } = parseXmltvText(guide(
    `<programme start="20261125180000 -0300" stop="20261125190000 -0300" channel="GloboSP.br"><title>Jornal</title></programme>
     <programme start="20261125180000 +0530" stop="20261125183000 +0530" channel="in"><title>Mumbai</title></programme>
     <programme start="20261125180000" stop="20261125190000" channel="utc"><title>Sem fuso</title></programme>
     <programme start="soon" stop="20261125190000 +0000" channel="x"><title>Bad</title></programme>
     <programme start="20261125190000 +0000" stop="20261125180000 +0000" channel="x"><title>Backwards</title></programme>
     <programme start="20261125180000 +0000" stop="20261125190000 +0000" channel="x"></programme>`,
  ));
  assert.deepEqual(
    programmes.map((p) => [p.channel, new Date(p.start).toISOString()]),
    [
      ["GloboSP.br", "2026-11-25T21:00:00.000Z"],
      ["in", "2026-11-25T12:30:00.000Z"],
      ["utc", "2026-11-25T18:00:00.000Z"],
    ],
  );
});

Deno.test("XMLTV text is untrusted: entities decoded once, control characters gone, lengths bounded", () => {
  const huge = "Lorem ipsum ".repeat(20_000);
  const { programmes, channels } = parseXmltvText(guide(
    `<programme start="20261125180000 +0000" stop="20261125190000 +0000" channel="a"><title>&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; Ação&#x1F4FA;\u0007</title><desc>${huge}</desc></programme>`,
    `<channel id="a"><display-name>Canal &amp; Cia</display-name></channel>`,
  ));
  assert.equal(programmes[0]!.title, "<script>alert(1)</script> &amp; Ação📺");
  assert.equal(programmes[0]!.description.length, 600);
  assert.deepEqual(channels.get("a"), ["Canal & Cia"]);
  assert.equal(decodeXmlText("&#0; &#xD800; &bogus; &#65;"), "  &bogus; A");
});

Deno.test("broken XMLTV: not a guide is an error; a truncated one yields what it holds", () => {
  assert.throws(() => parseXmltvText("<html>nope</html>"), /not an XMLTV/);
  const { programmes } = parseXmltvText(
    `<tv><programme start="20261125180000 +0000" stop="20261125190000 +0000" channel="a"><title>Ok</title></programme><programme start="2026`,
  );
  assert.equal(programmes.length, 1);
});

Deno.test("fetchXmltv() against a real server: gzip, sizes, errors named by URL", async () => {
  const xml = guide(
    `<programme start="20261125180000 +0000" stop="20261125190000 +0000" channel="a"><title>Gz</title></programme>`,
  );
  const gzipped = new Uint8Array(
    await new Response(
      new Blob([xml]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );
  let streamed = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/guide.xml.gz") return new Response(gzipped);
      if (path === "/guide.xml") return new Response(xml);
      if (path === "/big") {
        return new Response(new Uint8Array(2_000_000)); // says its length
      }
      if (path === "/endless") {
        // No length: a guide that never ends; the reader must stop on its own.
        const chunk = new TextEncoder().encode("<tv>" + "x".repeat(65_536));
        return new Response(
          new ReadableStream({
            pull(controller) {
              streamed += chunk.length;
              controller.enqueue(chunk);
            },
          }),
        );
      }
      if (path === "/bomb") {
        // 100 MB of zeros, gzipped to ~100 KB.
        const zeros = new ReadableStream<BufferSource>({
          start(controller) {
            for (let i = 0; i < 100; i++) {
              controller.enqueue(new Uint8Array(1_000_000));
            }
            controller.close();
          },
        });
        return new Response(zeros.pipeThrough(new CompressionStream("gzip")));
      }
      return new Response("no", { status: 404 });
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const fetcher = (url: string, signal: AbortSignal) => fetch(url, { signal });
  try {
    for (const path of ["/guide.xml.gz", "/guide.xml"]) {
      const { programmes } = await fetchXmltv(
        `${base}${path}`,
        fetcher,
        LIMITS,
      );
      assert.equal(programmes[0]?.title, "Gz", path);
    }
    await assert.rejects(
      fetchXmltv(`${base}/missing`, fetcher, LIMITS),
      new RegExp(`${base}/missing: HTTP 404`),
    );
    await assert.rejects(
      fetchXmltv(`${base}/big`, fetcher, LIMITS),
      /too large/,
    );
    await assert.rejects(
      fetchXmltv(`${base}/endless`, fetcher, LIMITS),
      /larger than 1000000 bytes/,
    );
    // The reader stopped: the server made no more than socket buffers took.
    assert.ok(streamed < 16_000_000, `served ${streamed} bytes`);
    await assert.rejects(
      fetchXmltv(`${base}/bomb`, fetcher, LIMITS),
      /larger than 1000000 bytes \(decompressed\)/,
    );
  } finally {
    await server.shutdown();
  }
});
