/**
 * Re-runs a test file in a child process set up the way it needs: inside a
 * network namespace that has only `lo` (so WebRTC/ICE and every socket can
 * only use 127.0.0.1), or with V8's `gc()` exposed for memory measurements.
 * The outer test fails if the inner run fails, with its output.
 * @module
 */

const NAMESPACE_MARKER = "REDFLIX_LOOPBACK_NAMESPACE";

/** Whether this process runs inside the loopback-only namespace. */
export const IN_LOOPBACK_NAMESPACE = Deno.env.get(NAMESPACE_MARKER) === "1";

/** Whether V8's `gc()` is available in this process. */
export const GC_EXPOSED =
  typeof (globalThis as { gc?: unknown }).gc === "function";

interface RerunOptions {
  /** Inside `unshare -rn` with loopback up. */
  loopbackOnly?: boolean;
  /** Extra V8 flags. */
  v8Flags?: string[];
  /** Kill the run after this long. */
  timeoutMs?: number;
}

async function rerun(file: string | URL, options: RerunOptions): Promise<void> {
  const path = typeof file === "string" ? file : file.pathname;
  const deno = [
    Deno.execPath(),
    "test",
    "-A",
    ...(options.v8Flags?.length
      ? [`--v8-flags=${options.v8Flags.join(",")}`]
      : []),
    path,
  ];
  const [program, ...args] = options.loopbackOnly
    ? [
      "unshare",
      "-rn",
      "sh",
      "-c",
      'ip link set lo up && exec "$@"',
      "loopback-ns",
      ...deno,
    ]
    : deno;
  const { code, stdout, stderr } = await new Deno.Command(program!, {
    args,
    env: options.loopbackOnly
      ? { [NAMESPACE_MARKER]: "1", NO_COLOR: "1" }
      : { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.timeoutMs ?? 180_000),
  }).output();
  const output = new TextDecoder().decode(stdout) +
    new TextDecoder().decode(stderr);
  if (code !== 0) {
    throw new Error(
      `Inner test run failed (exit ${code}):\n${output.slice(-6000)}`,
    );
  }
  // Pass on what the inner run printed about itself (figures, seeds), not its log lines.
  const notes = output.split("\n").filter((line) =>
    /^\s*(fuzz|churn|memory)/.test(line)
  );
  if (notes.length) console.log(notes.join("\n"));
}

/** Re-run `file` inside a network namespace that has only loopback. */
export function runInLoopbackNamespace(
  file: string | URL,
  timeoutMs = 180_000,
): Promise<void> {
  return rerun(file, { loopbackOnly: true, timeoutMs });
}

/** Re-run `file` with V8's `gc()` exposed. */
export function runWithExposedGc(
  file: string | URL,
  timeoutMs = 180_000,
): Promise<void> {
  return rerun(file, { v8Flags: ["--expose-gc"], timeoutMs });
}
