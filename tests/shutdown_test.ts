import assert from "node:assert/strict";
import { startServerProcess } from "./helpers/process.ts";
import { rawRequest } from "./helpers/raw_http.ts";

/** A watch page's session token, from a running server. */
async function pageToken(port: number): Promise<string> {
  const html = await (await fetch(`http://127.0.0.1:${port}/watch/demo`))
    .text();
  return /"sessionToken":"(v1\.[^"]+)"/.exec(html)![1]!;
}

function reportBody(token: string, httpBytes: number, final = false) {
  return JSON.stringify({
    token,
    channel: "demo",
    live: false,
    p2pStatus: "active",
    totals: { httpBytes, p2pBytes: 3 * httpBytes, uploadedBytes: 0, stalls: 0 },
    peers: 1,
    ttffMs: 400,
    final,
  });
}

/** Open a POST of `body` and send only its first half; returns a way to finish it. */
async function halfSentReport(port: number, body: string) {
  const bytes = new TextEncoder().encode(body);
  const half = Math.floor(bytes.length / 2);
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const result = rawRequest(port, "POST", "/api/stats/report", {
    headers: [`Content-Length: ${bytes.length}`],
    body: (async function* () {
      yield bytes.subarray(0, half);
      await released;
      yield bytes.subarray(half);
    })(),
  });
  await new Promise((resolve) => setTimeout(resolve, 200)); // the first half is in
  return { finish: release, result };
}

Deno.test("shutdown finishes what is in flight and loses no figures", async (t) => {
  const dir = await Deno.makeTempDir();
  const env = { ANALYTICS_KV_PATH: `${dir}/analytics.kv` };
  try {
    let token = "";
    await t.step(
      "a report still uploading its body during SIGTERM is counted (no 500), new requests get 503",
      async () => {
        const server = await startServerProcess(0, env);
        token = await pageToken(server.port);
        await new Promise((resolve) => setTimeout(resolve, 1100)); // the page is a second old
        const upload = await halfSentReport(
          server.port,
          reportBody(token, 250_000, true),
        );
        server.child.kill("SIGTERM");
        await new Promise((resolve) => setTimeout(resolve, 300));
        const late = await fetch(`http://127.0.0.1:${server.port}/health`)
          .catch(() => undefined);
        if (late) {
          assert.equal(late.status, 503, "new requests are turned away");
          await late.body?.cancel();
        }
        upload.finish();
        const { status, text } = await upload.result;
        assert.equal(status, 204, text.slice(0, 200));
        assert.equal((await server.exited).code, 0);
      },
    );
    await t.step(
      "after a restart the totals and the per-minute history are back",
      async () => {
        const server = await startServerProcess(0, env);
        try {
          const stats = await (await fetch(
            `http://127.0.0.1:${server.port}/tracker/stats?history=1`,
          )).json();
          assert.equal(stats.p2p.httpBytes, 250_000);
          assert.equal(stats.p2p.p2pBytes, 750_000);
          assert.equal(stats.p2p.channels.demo.avgTtffMs, 400);
          assert.equal(stats.p2p.history.demo.length, 1);
          assert.equal(stats.p2p.history.demo[0].httpBytes, 250_000);
        } finally {
          server.child.kill("SIGTERM");
          assert.equal((await server.exited).code, 0);
        }
      },
    );
    await t.step(
      "a second signal forces the exit at once, with a non-zero code",
      async () => {
        const server = await startServerProcess(0, env);
        const upload = await halfSentReport(
          server.port,
          reportBody(await pageToken(server.port), 1),
        );
        server.child.kill("SIGTERM");
        await new Promise((resolve) => setTimeout(resolve, 300));
        const started = performance.now();
        server.child.kill("SIGTERM");
        const { code } = await server.exited;
        assert.equal(code, 128 + 15);
        assert.ok(performance.now() - started < 2000);
        assert.ok(
          server.logs.some((line) => line.includes('"server.forced_exit"')),
        );
        upload.finish();
        await upload.result;
      },
    );
    await t.step(
      "a request that outlives SHUTDOWN_TIMEOUT ends in exit code 1",
      async () => {
        const server = await startServerProcess(0, {
          ...env,
          SHUTDOWN_TIMEOUT: "1",
        });
        const upload = await halfSentReport(
          server.port,
          reportBody(await pageToken(server.port), 1),
        );
        const started = performance.now();
        server.child.kill("SIGTERM");
        const { code } = await server.exited;
        assert.equal(code, 1);
        assert.ok(performance.now() - started < 3000);
        assert.ok(
          server.logs.some((line) =>
            line.includes('"server.shutdown_timeout"')
          ),
        );
        upload.finish();
        await upload.result;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
