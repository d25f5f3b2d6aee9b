import assert from "node:assert/strict";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { startTestServer } from "../helpers/server.ts";
import { startServerProcess } from "../helpers/process.ts";
import { startRedis } from "../../scripts/redis_server.ts";
import {
  ensureWebTorrentClient,
  WEBTORRENT_CLIENT_DIR,
} from "../../scripts/install_fixtures.ts";
import { toHex } from "../../utils/hex.ts";

const fixture = WEBTORRENT_CLIENT_DIR;

interface ClientEvent {
  event: string;
  name: string;
  text?: string;
  message?: string;
  incomplete?: number;
}

async function runClient(
  url: string,
  infoHashHex: string,
  name: string,
): Promise<{ code: number; events: ClientEvent[] }> {
  const { code, stdout, stderr } = await new Deno.Command("node", {
    args: [
      "--import",
      "./register.mjs",
      "client.mjs",
      url,
      infoHashHex,
      name,
      "20000",
    ],
    cwd: fixture.pathname,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const text = new TextDecoder().decode(stdout);
  const events = text.split("\n").filter((line) => line.startsWith("{")).map((
    line,
  ) => JSON.parse(line));
  if (code !== 0) console.error(text, new TextDecoder().decode(stderr));
  return { code, events };
}

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test("two bittorrent-tracker Clients with real WebRTC meet through our tracker", async () => {
    const server = await startTestServer({ buildDir: false });
    try {
      const url = server.url.replace("http", "ws") + "/tracker/ws";
      const infoHashHex = toHex(
        new TextEncoder().encode("redflix-test-swarm!!"),
      );
      const alice = runClient(url, infoHashHex, "alice");
      await new Promise((resolve) => setTimeout(resolve, 500)); // alice is in the swarm first
      const bob = runClient(url, infoHashHex, "bob");
      const [a, b] = await Promise.all([alice, bob]);
      assert.equal(a.code, 0, `alice: ${JSON.stringify(a.events)}`);
      assert.equal(b.code, 0, `bob: ${JSON.stringify(b.events)}`);
      for (const [result, other] of [[a, "bob"], [b, "alice"]] as const) {
        assert.ok(
          result.events.some((e) => e.event === "connect"),
          "the data channel opened",
        );
        assert.ok(
          result.events.some((e) =>
            e.event === "data" && e.text === `hello from ${other}`
          ),
        );
        assert.ok(
          !result.events.some((e) => e.event === "warning"),
          JSON.stringify(result.events),
        );
      }
      const stats = await (await fetch(`${server.url}/tracker/stats`)).json();
      assert.ok(stats.messages.out.offer >= 1, "offers were relayed");
      assert.ok(stats.messages.out.answer >= 1, "answers were relayed");
    } finally {
      await server.close();
    }
  });

  Deno.test("two bittorrent-tracker Clients on different tracker instances meet through Redis", async () => {
    const redis = await startRedis();
    const env = { TRACKER_BACKEND: "redis", REDIS_URL: redis.url };
    const one = await startServerProcess(0, env);
    const two = await startServerProcess(0, env);
    try {
      const infoHashHex = toHex(
        new TextEncoder().encode("redflix-cluster-swarm"),
      ).slice(0, 40);
      const alice = runClient(
        `ws://127.0.0.1:${one.port}/tracker/ws`,
        infoHashHex,
        "alice",
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      const bob = runClient(
        `ws://127.0.0.1:${two.port}/tracker/ws`,
        infoHashHex,
        "bob",
      );
      const [a, b] = await Promise.all([alice, bob]);
      assert.equal(a.code, 0, `alice: ${JSON.stringify(a.events)}`);
      assert.equal(b.code, 0, `bob: ${JSON.stringify(b.events)}`);
      for (const [result, other] of [[a, "bob"], [b, "alice"]] as const) {
        assert.ok(
          result.events.some((e) =>
            e.event === "data" && e.text === `hello from ${other}`
          ),
          JSON.stringify(result.events),
        );
      }
      const stats = await Promise.all(
        [one, two].map(async (server) =>
          (await fetch(`http://127.0.0.1:${server.port}/tracker/stats`)).json()
        ),
      );
      assert.ok(
        stats.every((s) =>
          s.cluster.relays.out >= 1 && s.cluster.relays.in >= 1
        ),
        `offers and answers crossed instances: ${
          JSON.stringify(stats.map((s) => s.cluster))
        }`,
      );
    } finally {
      for (const server of [one, two]) {
        server.child.kill("SIGTERM");
        await server.exited;
      }
      await redis.stop();
    }
  });
} else {
  Deno.test("a real WebTorrent client (bittorrent-tracker + @roamhq/wrtc) works with our tracker, on loopback only", async () => {
    await ensureWebTorrentClient();
    await runInLoopbackNamespace(new URL(import.meta.url));
  });
}
