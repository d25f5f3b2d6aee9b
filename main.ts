/**
 * Entry point: `deno task start` serves RedFlix P2P on `PORT` (default
 * 8000) until SIGINT/SIGTERM, then shuts down gracefully. The app itself is
 * built by `app/create.ts`.
 * @module
 */
import manifest from "./fresh.gen.ts";
import { configFromEnv, createApp } from "./app/mod.ts";
import type { Manifest } from "./runtime/types.ts";
import { envInteger } from "./utils/env.ts";
import { log } from "./utils/log.ts";
import type { AppConfig } from "./app/mod.ts";

/** Options of {@linkcode start}. */
export interface StartOptions extends AppConfig {
  /** TCP port; `PORT` or 8000. */
  port?: number;
  /** Interface to listen on; `HOSTNAME` or all interfaces. */
  hostname?: string;
  /** Longest a graceful shutdown may take (`SHUTDOWN_TIMEOUT`, seconds); then exit 1. */
  shutdownTimeoutMs?: number;
}

/** Longest a graceful shutdown may take by default before the process exits anyway (code 1). */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/** Exit codes follow the shell's convention: 128 + the signal's number. */
const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/** Serve the app until SIGINT/SIGTERM, then shut down gracefully. */
export async function start(
  appManifest: Manifest,
  options: StartOptions = {},
): Promise<void> {
  const port = options.port ?? Number(Deno.env.get("PORT") ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Invalid PORT: expected 0-65535, got "${Deno.env.get("PORT")}"`,
    );
  }
  const app = await createApp(appManifest, { ...configFromEnv(), ...options });
  const server = Deno.serve({
    port,
    hostname: options.hostname ?? Deno.env.get("HOSTNAME") ?? "0.0.0.0",
    onListen: ({ hostname, port }) => {
      const shown = hostname === "0.0.0.0" ? "localhost" : hostname;
      log.info("server.listening", { url: `http://${shown}:${port}/` });
    },
  }, app.handler);
  const timeoutMs = options.shutdownTimeoutMs ??
    envInteger((name) => Deno.env.get(name), "SHUTDOWN_TIMEOUT", {
        fallback: SHUTDOWN_TIMEOUT_MS / 1000,
        max: 3600,
      }) * 1000;
  let stopping = false;
  const shutdown = async (signal: keyof typeof SIGNAL_NUMBERS) => {
    if (stopping) {
      // A second signal: the operator wants out now.
      log.warn("server.forced_exit", { signal, open: app.gate.open });
      Deno.exit(128 + SIGNAL_NUMBERS[signal]);
    }
    stopping = true;
    log.info("server.stopping", { signal });
    const deadline = Date.now() + timeoutMs;
    const bounded = <T>(work: Promise<T>) =>
      Promise.race([
        work,
        new Promise<false>((resolve) =>
          setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))
        ),
      ]);
    const finished = await bounded(app.shutdown(timeoutMs)) &&
      await bounded(server.shutdown().then(() => true));
    if (!finished) {
      log.warn("server.shutdown_timeout", {
        ms: timeoutMs,
        open: app.gate.open,
      });
      Deno.exit(1);
    }
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, () => void shutdown(signal));
    } catch {
      // Signals are not available everywhere (e.g. Deno Deploy).
    }
  }
  await server.finished;
  log.info("server.stopped", {});
}

if (import.meta.main) {
  await start(manifest);
  Deno.exit(0);
}
