/**
 * A real coturn (Debian's `coturn` package) on a free loopback port, for the
 * TURN tests and the network lab, as `redis_server.ts` does for Redis. It
 * uses TURN REST credentials (`use-auth-secret`), relays on loopback only,
 * and logs each session's relayed bytes, which {@linkcode TestTurn.usage}
 * reads back.
 * @module
 */
import dgram from "node:dgram";
import { freePort } from "./redis_server.ts";

/** Options of {@linkcode startCoturn}. */
export interface CoturnOptions {
  /** coturn's `static-auth-secret` (the app's `TURN_SECRET`). */
  secret: string;
  /** Cap of each relay session, bytes per second each way (`--max-bps`); none by default. */
  maxBps?: number;
}

/** What coturn relayed, from its `usage:` log lines. */
export interface TurnUsage {
  /** Relay sessions seen. */
  sessions: number;
  /** Bytes received from clients (`rb`), summed over sessions' last reports. */
  receivedBytes: number;
  /** Bytes sent to clients (`sb`). */
  sentBytes: number;
}

/** A coturn a test controls. */
export interface TestTurn {
  /** `turn:127.0.0.1:<port>?transport=udp`. */
  url: string;
  /** Its UDP port. */
  port: number;
  /** The realm it answers with. */
  realm: string;
  /** Its log (per-session `usage:` lines among others). */
  logFile: string;
  /** Relayed bytes so far. */
  usage(): Promise<TurnUsage>;
  /** Stop it, and wait until it exited. */
  stop(): Promise<void>;
}

/** A STUN Binding request: the smallest message coturn answers without credentials. */
function bindingRequest(): Uint8Array {
  const message = new Uint8Array(20);
  const view = new DataView(message.buffer);
  view.setUint16(0, 0x0001); // Binding request
  view.setUint16(2, 0); // no attributes
  view.setUint32(4, 0x2112a442); // magic cookie
  crypto.getRandomValues(message.subarray(8));
  return message;
}

/** Whether a STUN server answers on 127.0.0.1:`port` within `timeoutMs`. */
function answersStun(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket("udp4");
    const done = (answered: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on("message", (reply: Uint8Array) => {
      done(reply.length >= 20 && reply[0] === 0x01 && reply[1] === 0x01);
    });
    socket.on("error", () => done(false));
    socket.send(bindingRequest(), port, "127.0.0.1");
  });
}

/**
 * Start coturn on loopback and wait until it answers STUN.
 *
 * @throws {Error} naming the package to install when `turnserver` is missing.
 */
export async function startCoturn(options: CoturnOptions): Promise<TestTurn> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "redflix-coturn-" });
  const logFile = `${dir}/turn.log`;
  const realm = "redflix.lab";
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("turnserver", {
      args: [
        "-n", // no configuration file: everything is below
        "--listening-ip=127.0.0.1",
        "--relay-ip=127.0.0.1",
        `--listening-port=${port}`,
        "--allow-loopback-peers",
        "--no-tls",
        "--no-dtls",
        "--no-cli",
        "--no-tcp-relay",
        "--use-auth-secret",
        `--static-auth-secret=${options.secret}`,
        `--realm=${realm}`,
        `--pidfile=${dir}/turn.pid`,
        `--userdb=${dir}/turndb`,
        "--verbose", // session lines, with their relayed bytes
        "--simple-log",
        `--log-file=${logFile}`,
        "--no-stdout-log",
        ...(options.maxBps ? [`--max-bps=${options.maxBps}`] : []),
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch (error) {
    throw new Error(
      `Cannot start turnserver (apt-get install -y coturn): ${error}`,
    );
  }
  const deadline = Date.now() + 10_000;
  while (!(await answersStun(port, 200))) {
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await child.status;
      const log = await Deno.readTextFile(logFile).catch(() => "(no log)");
      throw new Error(`coturn did not start: ${log.slice(-2000)}`);
    }
  }
  return {
    logFile,
    url: `turn:127.0.0.1:${port}?transport=udp`,
    port,
    realm,
    async usage() {
      const log = await Deno.readTextFile(logFile).catch(() => "");
      // Each session reports running totals; its last line counts.
      const bySession = new Map<string, { rb: number; sb: number }>();
      for (
        const match of log.matchAll(
          /session (\d+): usage: .*?rb=(\d+), .*?sb=(\d+)/g,
        )
      ) {
        bySession.set(match[1]!, {
          rb: Number(match[2]),
          sb: Number(match[3]),
        });
      }
      let receivedBytes = 0, sentBytes = 0;
      for (const { rb, sb } of bySession.values()) {
        receivedBytes += rb;
        sentBytes += sb;
      }
      return { sessions: bySession.size, receivedBytes, sentBytes };
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
