/**
 * A real `redis-server` (Debian's package) on a free loopback port, for the
 * cluster tests and the benchmark's cluster row. It keeps nothing on disk;
 * `stop()` and `start()` again on the same port simulate an outage.
 * @module
 */

/** A Redis server a test controls. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  /** Its port (the same across restarts). */
  port: number;
  /** The running server's process id (to read its CPU time), if running. */
  readonly pid: number | undefined;
  /** Start it (again), and wait until it accepts connections. */
  start(): Promise<void>;
  /** Stop it, and wait until it exited. */
  stop(): Promise<void>;
}

/** A free TCP port on loopback, as the OS hands them out. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Start `redis-server` on loopback.
 *
 * @throws {Error} naming the package to install when it is missing.
 */
export async function startRedis(): Promise<TestRedis> {
  const port = freePort();
  let child: Deno.ChildProcess | undefined;
  const redis: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid;
    },
    async start() {
      let command: Deno.Command;
      try {
        command = new Deno.Command("redis-server", {
          args: [
            "--port",
            String(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            "",
          ],
          stdout: "piped",
          stderr: "inherit",
        });
        child = command.spawn();
      } catch (error) {
        throw new Error(
          `Cannot start redis-server (apt-get install -y redis-server): ${error}`,
        );
      }
      const reader = child.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      let seen = "";
      const deadline = Date.now() + 10_000;
      while (!seen.includes("Ready to accept connections")) {
        if (Date.now() > deadline) {
          throw new Error(`redis-server did not start: ${seen}`);
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`redis-server exited: ${seen}`);
        seen += value;
      }
      // Keep reading so the server never blocks on a full pipe.
      (async () => {
        while (!(await reader.read()).done) { /* discard */ }
      })().catch(() => {});
    },
    async stop() {
      if (!child) return;
      const running = child;
      child = undefined;
      try {
        running.kill("SIGTERM");
      } catch {
        // already gone
      }
      await running.status;
    },
  };
  await redis.start();
  return redis;
}
