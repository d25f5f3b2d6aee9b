/**
 * Runs `main.ts` as a real server process (for signals and restarts) and
 * waits until it listens.
 * @module
 */

/** A server process. */
export interface ServerProcess {
  /** The port it listens on. */
  port: number;
  /** The child process. */
  child: Deno.ChildProcess;
  /** Log lines (stderr) so far. */
  logs: string[];
  /** Resolves with the exit status. */
  exited: Promise<Deno.CommandStatus>;
}

/** Start `deno run -A main.ts` on 127.0.0.1 (`port` 0 lets the OS choose). */
export async function startServerProcess(
  port = 0,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts"],
    cwd: new URL("../../", import.meta.url).pathname,
    env: {
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      LOG_LEVEL: "info",
      NO_COLOR: "1",
      // Tests keep nothing in the repository: persistence only where a test asks for it.
      ANALYTICS_KV_PATH: "off",
      ...env,
    },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const logs: string[] = [];
  const { promise: ready, resolve: listening } = Promise.withResolvers<
    number
  >();
  (async () => {
    let buffer = "";
    for await (
      const chunk of child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) {
        logs.push(line);
        const url = /"event":"server.listening","url":"([^"]+)"/.exec(line)
          ?.[1];
        if (url) listening(Number(new URL(url).port));
      }
    }
  })();
  const exited = child.status;
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`Server did not start: ${logs.join("\n")}`)),
      20_000,
    )
  );
  const actualPort = await Promise.race([
    ready,
    timeout,
    exited.then(() => Promise.reject(new Error(logs.join("\n")))),
  ]);
  return { port: actualPort, child, logs, exited };
}
