/**
 * Starts the real app on an ephemeral loopback port for a test.
 * @module
 */
import manifest from "../../fresh.gen.ts";
import { type AppConfig, createApp } from "../../app/mod.ts";

/** A running test server. */
export interface TestServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The port it listens on. */
  port: number;
  /** Stop the server and the app's services. */
  close(): Promise<void>;
}

/** Serve the app on `127.0.0.1:0` (the OS picks a free port). */
export async function startTestServer(
  config: AppConfig = {},
): Promise<TestServer> {
  const app = await createApp(manifest, {
    // Channel probes must never leave the machine: only loopback URLs are fetched.
    fetchRemote(url) {
      const { hostname } = new URL(url);
      if (hostname !== "127.0.0.1" && hostname !== "localhost") {
        return Promise.reject(
          new Error(`Tests fetch loopback only, not ${hostname}`),
        );
      }
      return fetch(url, {
        signal: AbortSignal.timeout(5000),
        redirect: "manual",
      });
    },
    ...config,
  });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    app.handler,
  );
  const { port } = server.addr;
  await app.probed; // tests see the catalog as users do once it is known
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      await app.close();
      await server.shutdown();
    },
  };
}
