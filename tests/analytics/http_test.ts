import assert from "node:assert/strict";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { startTestServer, type TestServer } from "../helpers/server.ts";

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

function report(
  sessionId: string,
  totals: Record<string, number>,
  extra: Record<string, unknown> = {},
) {
  return {
    sessionId,
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

Deno.test("players' reports reach /tracker/stats and /metrics; hostile ones are refused", async (t) => {
  const server = await startTestServer({ buildDir: false });
  try {
    await t.step("realistic reports are counted (204)", async () => {
      for (
        const [id, totals] of [["viewer-one-0001", {
          httpBytes: 4_000_000,
          p2pBytes: 0,
          uploadedBytes: 3_000_000,
        }], ["viewer-two-0002", {
          httpBytes: 1_000_000,
          p2pBytes: 3_000_000,
        }]] as const
      ) {
        const response = await post(server, report(id, totals));
        assert.equal(response.status, 204);
      }
      // sendBeacon posts text/plain: accepted all the same.
      const beacon = await post(
        server,
        report("viewer-three-3", { httpBytes: 1000 }, { final: true }),
        { "content-type": "text/plain" },
      );
      assert.equal(beacon.status, 204);
    });

    await t.step(
      "hostile reports get clear errors and change nothing",
      async () => {
        const cases: Array<[unknown, number, RegExp]> = [
          ["{not json", 400, /not JSON/],
          [report("x", {}), 400, /Invalid sessionId/],
          [
            report("viewer-evil-0001", { httpBytes: -5 }),
            400,
            /totals.httpBytes/,
          ],
          [
            report("viewer-evil-0002", {}, { channel: "nope" }),
            422,
            /Unknown channel nope/,
          ],
          ["x".repeat(5000), 413, /too large/],
        ];
        for (const [body, status, pattern] of cases) {
          const response = await post(server, body);
          assert.equal(response.status, status, String(body).slice(0, 40));
          assert.match((await response.json()).error, pattern);
        }
        const again = await post(
          server,
          report("viewer-one-0001", { httpBytes: 9_000_000 }),
        );
        assert.equal(again.status, 429, "a session reports at most every 2 s");
        await again.body?.cancel();
      },
    );

    await t.step(
      "/tracker/stats gains schemaVersion and aggregated P2P figures",
      async () => {
        const stats =
          await (await fetch(`${server.url}/tracker/stats?history=1`)).json();
        assert.equal(stats.schemaVersion, 2);
        assert.equal(typeof stats.peers, "number", "existing fields are kept");
        const { p2p } = stats;
        assert.equal(p2p.viewers, 2, "the beacon's session said goodbye");
        assert.deepEqual([p2p.httpBytes, p2p.p2pBytes, p2p.uploadedBytes], [
          5_001_000,
          3_000_000,
          3_000_000,
        ]);
        assert.ok(Math.abs(p2p.offload - 3_000_000 / 8_001_000) < 1e-9);
        assert.equal(p2p.avgTtffMs, 700);
        assert.equal(p2p.channels.demo.viewers, 2);
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
          3_000_000,
        );
        assert.equal(
          value("redflix_delivered_bytes_total", {
            channel: "demo",
            source: "http",
          }),
          5_001_000,
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
        assert.ok(
          value("redflix_tracker_messages_received_total", {
            kind: "announce",
          }) >= 0,
        );
        for (const family of families) {
          assert.match(family.name, /^redflix_[a-z_]+$/);
        }
      },
    );
  } finally {
    await server.close();
  }
});
