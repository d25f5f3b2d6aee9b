import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { pieces, rawRequest } from "../helpers/raw_http.ts";

function post(
  server: TestServer,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return fetch(`${server.url}/api/stats/report`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers,
  });
}

/** The session token a watch page was served with (as a player finds it). */
async function pageToken(server: TestServer, channel = "demo") {
  const html = await (await fetch(`${server.url}/watch/${channel}`)).text();
  return /"sessionToken":"(v1\.[^"]+)"/.exec(html)?.[1];
}

function report(
  token: string | undefined,
  totals: Record<string, number | null>,
  extra: Record<string, unknown> = {},
) {
  return {
    token,
    channel: "demo",
    live: false,
    p2pStatus: "active",
    totals: {
      httpBytes: 0,
      p2pBytes: 0,
      uploadedBytes: 0,
      stalls: 0,
      ...totals,
    },
    peers: 1,
    ttffMs: 700,
    ...extra,
  };
}

interface Metric {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value: string }>;
}

async function stats(server: TestServer) {
  return await (await fetch(`${server.url}/tracker/stats?history=1`)).json();
}

Deno.test("players' reports reach /tracker/stats and /metrics; hostile ones are refused", async (t) => {
  const server = await startTestServer({ buildDir: false });
  try {
    // Each page view mints a session; its allowance counts from the page.
    const tokens = [await pageToken(server), await pageToken(server)];
    const beaconToken = await pageToken(server);
    assert.match(tokens[0] ?? "", /^v1\./, "the watch page carries a token");
    await new Promise((resolve) => setTimeout(resolve, 1100));

    await t.step("realistic reports are counted (204)", async () => {
      for (
        const [token, totals] of [[tokens[0], {
          httpBytes: 400_000,
          p2pBytes: 0,
          uploadedBytes: 300_000,
        }], [tokens[1], { httpBytes: 100_000, p2pBytes: 300_000 }]] as const
      ) {
        const response = await post(server, report(token, totals));
        assert.equal(response.status, 204, await response.text());
      }
      // sendBeacon posts text/plain: accepted all the same.
      const beacon = await post(
        server,
        report(beaconToken, { httpBytes: 1000 }, { final: true }),
        { "content-type": "text/plain" },
      );
      assert.equal(beacon.status, 204);
    });

    await t.step(
      "hostile reports get clear errors and change nothing",
      async () => {
        // Claiming the page was served an hour earlier breaks the signature.
        const parts = tokens[0]!.split(".");
        parts[3] = (parseInt(parts[3]!, 36) - 3600_000).toString(36);
        const forged = parts.join(".");
        const otherChannel = await pageToken(server, "ao-vivo");
        const cases: Array<[unknown, number, RegExp]> = [
          ["{not json", 400, /not JSON/],
          [report(undefined, {}), 400, /Invalid token/],
          [report("v1.made.up.token.sig", {}), 401, /Invalid or expired/],
          [report(forged, { p2pBytes: 9e9 }), 401, /Invalid or expired/],
          [report(otherChannel, {}), 400, /token is for another channel/],
          [report(tokens[1], { httpBytes: -5 }), 400, /totals.httpBytes/],
          [
            report(tokens[1], {}, { channel: "nope" }),
            422,
            /Unknown channel nope/,
          ],
          ["x".repeat(5000), 413, /too large/],
        ];
        for (const [body, status, pattern] of cases) {
          const response = await post(server, body);
          assert.equal(response.status, status, String(body).slice(0, 60));
          assert.match((await response.json()).error, pattern);
        }
        const again = await post(
          server,
          report(tokens[0], { httpBytes: 9_000_000 }),
        );
        assert.equal(again.status, 429, "a session reports at most every 2 s");
        await again.body?.cancel();
        const afterGoodbye = await post(
          server,
          report(beaconToken, { httpBytes: 5000 }, { final: true }),
        );
        assert.equal(afterGoodbye.status, 409, "final is accepted once");
        await afterGoodbye.body?.cancel();
      },
    );

    await t.step(
      "/tracker/stats gains schemaVersion and aggregated P2P figures",
      async () => {
        const { schemaVersion, peers, p2p } = await stats(server);
        assert.equal(schemaVersion, 2);
        assert.equal(typeof peers, "number", "existing fields are kept");
        assert.equal(p2p.viewers, 2, "the beacon's session said goodbye");
        assert.deepEqual([p2p.httpBytes, p2p.p2pBytes, p2p.uploadedBytes], [
          501_000,
          300_000,
          300_000,
        ]);
        assert.ok(Math.abs(p2p.offload - 300_000 / 801_000) < 1e-9);
        assert.equal(p2p.avgTtffMs, 700);
        assert.equal(p2p.channels.demo.viewers, 2);
        assert.deepEqual(p2p.noP2P, {
          operator: 0,
          viewer: 0,
          webrtc: 0,
          native: 0,
          tracker: 0,
          turn: 0,
        });
        assert.equal(p2p.history.demo.length, 1);
        assert.equal(p2p.history.demo[0].viewers, 3);
      },
    );

    await t.step(
      "/metrics is valid Prometheus text with channel labels",
      async () => {
        const response = await fetch(`${server.url}/metrics`);
        assert.equal(
          response.headers.get("content-type"),
          "text/plain; version=0.0.4; charset=utf-8",
        );
        const families = parsePrometheusTextFormat(
          await response.text(),
        ) as Metric[];
        const byName = new Map(families.map((f) => [f.name, f]));
        const value = (name: string, labels: Record<string, string> = {}) =>
          Number(
            byName.get(name)?.metrics.find((m) =>
              Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)
            )?.value,
          );
        assert.equal(
          byName.get("redflix_delivered_bytes_total")?.type,
          "COUNTER",
        );
        assert.equal(byName.get("redflix_viewers")?.type, "GAUGE");
        assert.equal(value("redflix_viewers", { channel: "demo" }), 2);
        assert.equal(
          value("redflix_delivered_bytes_total", {
            channel: "demo",
            source: "p2p",
          }),
          300_000,
        );
        assert.equal(
          value("redflix_delivered_bytes_total", {
            channel: "demo",
            source: "http",
          }),
          501_000,
        );
        assert.ok(
          Math.abs(
            value("redflix_origin_offload_ratio", { channel: "demo" }) - 0.375,
          ) < 0.001,
        );
        assert.equal(
          value("redflix_time_to_first_frame_seconds", { channel: "demo" }),
          0.7,
        );
        assert.equal(
          byName.get("redflix_viewers_without_p2p")?.type,
          "GAUGE",
        );
        assert.ok(
          value("redflix_tracker_messages_received_total", {
            kind: "announce",
          }) >= 0,
        );
        for (const family of families) {
          assert.match(family.name, /^redflix_[a-z_0-9]+$/);
        }
      },
    );
  } finally {
    await server.close();
  }
});

Deno.test("analytics cannot be poisoned with made-up sessions", async (t) => {
  const server = await startTestServer({ buildDir: false });
  try {
    await t.step(
      "reports with made-up sessions (the old attack: 20 POSTs, 20 viewers) are all refused",
      async () => {
        for (let i = 0; i < 20; i++) {
          const response = await post(server, {
            ...report(undefined, { httpBytes: 0, p2pBytes: 375_000_000 }),
            sessionId: crypto.randomUUID(),
            ttffMs: 600_000,
          });
          assert.equal(response.status, 400);
          await response.body?.cancel();
        }
        const { p2p } = await stats(server);
        assert.deepEqual([p2p.viewers, p2p.p2pBytes], [0, 0]);
      },
    );
  } finally {
    await server.close();
  }
});

Deno.test("an address that loads pages in a loop gets a few sessions, and a few are counted", async (t) => {
  const server = await startTestServer({ buildDir: false });
  try {
    await t.step(
      "page views mint at most a burst of sessions; reports count four at most",
      async () => {
        const minted = [];
        for (let i = 0; i < 30; i++) minted.push(await pageToken(server));
        const valid = minted.filter(Boolean);
        assert.ok(
          valid.length <= 12,
          `${valid.length} tokens: a burst of 12 page views per address`,
        );
        const zap = await fetch(
          `${server.url}/api/stats/session?channel=demo`,
          { method: "POST" },
        );
        assert.equal(zap.status, 429, "zapping shares the same budget");
        await zap.body?.cancel();
        let accepted = 0;
        for (const token of valid) {
          const response = await post(
            server,
            report(token, { httpBytes: 0, p2pBytes: 1e12 }, {
              ttffMs: 600_000,
            }),
          );
          if (response.status === 204) accepted++;
          await response.body?.cancel();
        }
        assert.equal(accepted, 4, "four viewers per address are counted");
        const { p2p } = await stats(server);
        assert.equal(p2p.viewers, 4);
        // The pages were served seconds ago: 4 sessions × seconds × 100 Mbit/s at most.
        assert.ok(
          p2p.p2pBytes < 4 * 12.5e6 * 10,
          `${p2p.p2pBytes} bytes claimed`,
        );
        assert.ok(
          p2p.avgTtffMs < 10_000,
          `mean first frame ${p2p.avgTtffMs} ms, not 600 s`,
        );
      },
    );
  } finally {
    await server.close();
  }
});

Deno.test("report bodies are read with a cap and a deadline, chunked or not", async (t) => {
  const server = await startTestServer({ buildDir: false });
  try {
    await t.step(
      "a 64 MiB chunked body gets 413 after a few KB, and memory stays flat",
      async () => {
        const before = Deno.memoryUsage().rss;
        const result = await rawRequest(
          server.port,
          "POST",
          "/api/stats/report",
          {
            chunked: true,
            body: pieces(1024, 64 * 1024),
          },
        );
        assert.equal(result.status, 413, result.text.slice(0, 200));
        assert.ok(
          result.sent < 8 * 1024 * 1024,
          `the server stopped reading after ${result.sent} bytes`,
        );
        const grown = Deno.memoryUsage().rss - before;
        assert.ok(grown < 32 * 1024 * 1024, `RSS grew ${grown} bytes`);
      },
    );
    await t.step("a Content-Length over the cap gets 413 at once", async () => {
      const result = await rawRequest(
        server.port,
        "POST",
        "/api/stats/report",
        {
          headers: ["Content-Length: 67108864"],
          body: pieces(1, 1024),
        },
      );
      assert.equal(result.status, 413);
    });
    await t.step(
      "a body that trickles in gets 408 within its deadline",
      async () => {
        const result = await rawRequest(
          server.port,
          "POST",
          "/api/stats/report",
          {
            headers: ["Content-Length: 4000"],
            body: pieces(100, 1),
            delayMs: 1000,
            timeoutMs: 20_000,
          },
        );
        assert.equal(result.status, 408, result.text.slice(0, 200));
        assert.ok(result.ms < 15_000, `answered after ${result.ms} ms`);
      },
    );
  } finally {
    await server.close();
  }
});
