import assert from "node:assert/strict";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "./helpers/netns.ts";
import { startServerProcess } from "./helpers/process.ts";
import { id20, TestSocket } from "./helpers/ws_client.ts";
import { toHex } from "../utils/hex.ts";
import {
  ensureWebTorrentClient,
  WEBTORRENT_CLIENT_DIR,
} from "../scripts/install_fixtures.ts";

const fixture = WEBTORRENT_CLIENT_DIR;

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test("after a tracker restart, WebTorrent clients are back in their swarm by themselves", async () => {
    const first = await startServerProcess();
    const { port } = first;
    const infoHash = new TextEncoder().encode("redflix-restart-test");
    const peersUrl = `http://127.0.0.1:${port}/tracker/peers/${
      toHex(infoHash)
    }`;
    const countPeers = async () => {
      try {
        return ((await (await fetch(peersUrl)).json()).peers ?? [])
          .length as number;
      } catch {
        return -1;
      }
    };
    const waitForPeers = async (n: number, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (await countPeers() === n) return;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(
        `Expected ${n} peers within ${timeoutMs} ms, have ${await countPeers()}`,
      );
    };
    const clients = ["alice", "bob"].map((name) =>
      new Deno.Command("node", {
        args: [
          "--import",
          "./register.mjs",
          "client.mjs",
          `ws://127.0.0.1:${port}/tracker/ws`,
          toHex(infoHash),
          name,
          "45000",
          "stay",
        ],
        cwd: fixture.pathname,
        stdout: "null",
        stderr: "null",
      }).spawn()
    );
    try {
      await waitForPeers(2, 10_000);
      first.child.kill("SIGTERM");
      await first.exited;
      const second = await startServerProcess(port);
      try {
        assert.equal(await countPeers(), 0, "a fresh process starts empty");
        // bittorrent-tracker retries 10 s after losing its socket (randomness pinned by the fixture).
        await waitForPeers(2, 25_000);
      } finally {
        second.child.kill("SIGTERM");
        await second.exited;
      }
    } finally {
      for (const client of clients) {
        try {
          client.kill("SIGKILL");
        } catch {
          // it already exited; its status below tells how
        }
        await client.status;
      }
    }
  });
} else {
  Deno.test("SIGTERM: the server stops accepting, closes sockets with 1001 and exits promptly", async () => {
    const server = await startServerProcess();
    const url = `ws://127.0.0.1:${server.port}/tracker/ws`;
    const socket = await TestSocket.open(url);
    socket.send({
      action: "announce",
      info_hash: id20("h"),
      peer_id: id20("p"),
    });
    await socket.next();
    const started = performance.now();
    server.child.kill("SIGTERM");
    const closed = await socket.closed;
    assert.equal(
      closed.code,
      1001,
      "clients are told the server is going away",
    );
    const status = await server.exited;
    const took = performance.now() - started;
    assert.equal(status.code, 0);
    assert.ok(took < 5000, `exited in ${took.toFixed(0)} ms`);
    assert.ok(
      server.logs.some((line) => line.includes('"event":"server.stopped"')),
    );
    await assert.rejects(() => TestSocket.open(url), "no longer accepting");
  });

  Deno.test("a tracker restart loses no client: they rejoin with no manual step (loopback only)", async () => {
    await ensureWebTorrentClient();
    await runInLoopbackNamespace(new URL(import.meta.url), 120_000);
  });
}
