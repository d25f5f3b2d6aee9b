import assert from "node:assert/strict";
import { StaticFiles } from "../../runtime/static.ts";

async function withStaticDir(
  fn: (files: StaticFiles, dir: string) => Promise<void>,
) {
  const dir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/static/media`, { recursive: true });
    await Deno.writeTextFile(`${dir}/static/media/index.m3u8`, "#EXTM3U\n");
    await Deno.writeFile(
      `${dir}/static/media/seg_000.ts`,
      new Uint8Array([0x47, 1, 2, 3]),
    );
    await Deno.writeTextFile(`${dir}/static/styles.css`, "body{}");
    await Deno.writeTextFile(`${dir}/static/.env`, "SECRET=1");
    await Deno.writeTextFile(`${dir}/secret.txt`, "top secret");
    await Deno.writeTextFile(`${outside}/passwd`, "root:x");
    await Deno.symlink(outside, `${dir}/static/escape`);
    await fn(new StaticFiles(new URL(`file://${dir}/static/`)), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
}

function get(path: string, headers: HeadersInit = {}): Request {
  return new Request(`http://localhost${path}`, { headers });
}

Deno.test("StaticFiles serves files with the right MIME type", async () => {
  await withStaticDir(async (files) => {
    const playlist = await files.serve(
      get("/media/index.m3u8"),
      "/media/index.m3u8",
    );
    assert.equal(
      playlist?.headers.get("content-type"),
      "application/vnd.apple.mpegurl",
    );
    assert.equal(await playlist?.text(), "#EXTM3U\n");
    const segment = await files.serve(
      get("/media/seg_000.ts"),
      "/media/seg_000.ts",
    );
    assert.equal(segment?.headers.get("content-type"), "video/mp2t");
    assert.equal(
      segment?.headers.get("cache-control"),
      "public, max-age=86400",
    );
    assert.deepEqual(
      new Uint8Array(await segment!.arrayBuffer()),
      new Uint8Array([0x47, 1, 2, 3]),
    );
    const css = await files.serve(get("/styles.css"), "/styles.css");
    assert.equal(css?.headers.get("content-type"), "text/css; charset=utf-8");
    assert.equal(
      css?.headers.get("cache-control"),
      "public, max-age=0, must-revalidate",
    );
    await css?.body?.cancel();
  });
});

Deno.test("StaticFiles answers If-None-Match with 304 and changes the ETag with the content", async () => {
  await withStaticDir(async (files, dir) => {
    const first = await files.serve(get("/styles.css"), "/styles.css");
    const etag = first?.headers.get("etag");
    await first?.body?.cancel();
    assert.match(etag ?? "", /^"[0-9a-f]{40}"$/);
    const cached = await files.serve(
      get("/styles.css", { "if-none-match": etag! }),
      "/styles.css",
    );
    assert.equal(cached?.status, 304);
    assert.equal(cached?.body, null);
    const weak = await files.serve(
      get("/styles.css", { "if-none-match": `"x", W/${etag}` }),
      "/styles.css",
    );
    assert.equal(weak?.status, 304);
    await Deno.writeTextFile(`${dir}/static/styles.css`, "body{color:red}");
    const changed = await files.serve(
      get("/styles.css", { "if-none-match": etag! }),
      "/styles.css",
    );
    assert.equal(changed?.status, 200);
    assert.notEqual(changed?.headers.get("etag"), etag);
    await changed?.body?.cancel();
  });
});

Deno.test("StaticFiles never serves outside its folder", async (t) => {
  await withStaticDir(async (files) => {
    for (
      const path of [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/media/%2E%2E/%2E%2E/secret.txt",
        "/media%2f..%2f..%2fsecret.txt",
        "/styles.css%00.png",
        "/..%5csecret.txt",
        "/.env",
        "/escape/passwd",
        "/media",
        "/",
        "/%E0%A4%A",
      ]
    ) {
      await t.step(`${path} is not served`, async () => {
        assert.equal(await files.serve(get("/"), path), undefined);
      });
    }
  });
});

Deno.test("StaticFiles answers HEAD with headers only", async () => {
  await withStaticDir(async (files) => {
    const head = await files.serve(
      new Request("http://localhost/styles.css", { method: "HEAD" }),
      "/styles.css",
    );
    assert.equal(head?.status, 200);
    assert.equal(head?.headers.get("content-length"), "6");
    assert.equal(head?.body, null);
  });
});

Deno.test("StaticFiles answers a byte range with 206, so a player resumes a half-delivered segment", async () => {
  await withStaticDir(async (files) => {
    const path = "/media/seg_000.ts";
    const whole = await files.serve(get(path), path);
    assert.equal(whole?.headers.get("accept-ranges"), "bytes");
    const etag = whole!.headers.get("etag")!;
    await whole!.body?.cancel();

    const rest = await files.serve(get(path, { range: "bytes=1-" }), path);
    assert.equal(rest?.status, 206);
    assert.equal(rest?.headers.get("content-range"), "bytes 1-3/4");
    assert.equal(rest?.headers.get("content-length"), "3");
    assert.deepEqual(
      new Uint8Array(await rest!.arrayBuffer()),
      new Uint8Array([1, 2, 3]),
    );

    const tail = await files.serve(get(path, { range: "bytes=-2" }), path);
    assert.deepEqual(
      new Uint8Array(await tail!.arrayBuffer()),
      new Uint8Array([2, 3]),
    );

    const beyond = await files.serve(get(path, { range: "bytes=4-" }), path);
    assert.equal(beyond?.status, 416);
    assert.equal(beyond?.headers.get("content-range"), "bytes */4");

    // Another version (If-Range mismatch), several ranges, or nonsense: the whole file.
    for (
      const headers of [
        { range: "bytes=1-", "if-range": '"other"' } as Record<string, string>,
        { range: "bytes=0-0,2-3" },
        { range: "items=1-2" },
      ]
    ) {
      const full = await files.serve(get(path, headers), path);
      assert.equal(full?.status, 200, JSON.stringify(headers));
      assert.equal((await full!.arrayBuffer()).byteLength, 4);
    }
    const same = await files.serve(
      get(path, { range: "bytes=2-", "if-range": etag }),
      path,
    );
    assert.equal(same?.status, 206);
    await same!.body?.cancel();
  });
});
