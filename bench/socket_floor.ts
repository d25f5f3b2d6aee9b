/**
 * What one idle WebSocket costs the server before any tracker logic: RSS per
 * connection of a bare server on three socket stacks under Deno, each in its
 * own process. It bounds what tuning the tracker can reach (issue #7).
 *
 * `deno run -A bench/socket_floor.ts [connections]` (default 5000), loopback only.
 * @module
 */
import {
  ensureWebTorrentClient,
  WEBTORRENT_CLIENT_DIR,
} from "../scripts/install_fixtures.ts";
import { freePort, rssBytes, waitUntilListening } from "./_process.ts";

/** Servers with no logic: accept, answer one message, then stay idle. */
const SERVERS = {
  "npm:ws on node:http, under Node (the reference's stack)": `
    import { createServer } from "node:http";
    import { WebSocketServer } from "ws";
    const server = createServer();
    new WebSocketServer({ server }).on("connection", (socket) =>
      socket.on("message", (data) => socket.send(String(data))));
    server.listen(PORT, "127.0.0.1");`,
  "Deno.upgradeWebSocket (what the tracker uses)": `
    Deno.serve({ port: PORT, hostname: "127.0.0.1", onListen() {} }, (req) => {
      const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 30 });
      socket.onmessage = (e) => socket.send(e.data);
      return response;
    });`,
  "npm:ws on node:http, under Deno": `
    import { createServer } from "node:http";
    import { WebSocketServer } from "npm:ws@8.18.3";
    const server = createServer();
    new WebSocketServer({ server }).on("connection", (socket) =>
      socket.on("message", (data) => socket.send(String(data))));
    server.listen(PORT, "127.0.0.1");`,
  "raw Deno.listen TCP, one pending 512 B read (no WebSocket at all)": `
    for await (const conn of Deno.listen({ port: PORT, hostname: "127.0.0.1" })) {
      (async () => {
        const buffer = new Uint8Array(512);
        while ((await conn.read(buffer)) !== null) await conn.write(buffer.subarray(0, 1));
      })();
    }`,
} as const;

/** Open `count` connections that each exchange one message, then idle. */
async function connect(
  port: number,
  count: number,
  raw: boolean,
): Promise<() => void> {
  const closers: (() => void)[] = [];
  for (let start = 0; start < count; start += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - start) }, async () => {
        if (raw) {
          const conn = await Deno.connect({ hostname: "127.0.0.1", port });
          await conn.write(new Uint8Array([1]));
          await conn.read(new Uint8Array(1));
          closers.push(() => conn.close());
          return;
        }
        const socket = new WebSocket(`ws://127.0.0.1:${port}`);
        await new Promise<void>((resolve, reject) => {
          socket.onopen = () => socket.send("hi");
          socket.onmessage = () => resolve();
          socket.onerror = () => reject(new Error("WebSocket failed"));
        });
        closers.push(() => socket.close());
      }),
    );
  }
  return () => closers.forEach((close) => close());
}

if (import.meta.main) {
  const count = Number(Deno.args[0] ?? 5000);
  await ensureWebTorrentClient();
  console.log(`| server (idle, ${count} connections) | RSS per connection |`);
  console.log("| --- | --- |");
  for (const [name, source] of Object.entries(SERVERS)) {
    const port = freePort();
    const underNode = name.includes("under Node");
    // Node resolves "ws" from the test fixture, which bittorrent-tracker brings.
    const file = underNode
      ? await Deno.makeTempFile({
        dir: WEBTORRENT_CLIENT_DIR.pathname,
        suffix: ".mjs",
      })
      : await Deno.makeTempFile({ suffix: ".ts" });
    await Deno.writeTextFile(file, source.replaceAll("PORT", String(port)));
    const child = new Deno.Command(underNode ? "node" : Deno.execPath(), {
      args: underNode ? [file] : ["run", "-A", "--quiet", file],
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    try {
      await waitUntilListening(port);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const before = await rssBytes(child.pid);
      const close = await connect(port, count, name.startsWith("raw"));
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const perConnection = ((await rssBytes(child.pid)) - before) / count;
      close();
      console.log(`| ${name} | ${(perConnection / 1024).toFixed(1)} KB |`);
    } finally {
      child.kill("SIGKILL");
      await child.status;
      await Deno.remove(file);
    }
  }
}
