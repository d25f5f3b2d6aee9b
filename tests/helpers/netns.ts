/**
 * Runs a test file inside a network namespace that has only `lo`, so
 * WebRTC (ICE) and every socket can only use 127.0.0.1. The outer test
 * re-runs its own file there and fails if the inner run fails.
 * @module
 */

const MARKER = "REDFLIX_LOOPBACK_NAMESPACE";

/** Whether this process runs inside the loopback-only namespace. */
export const IN_LOOPBACK_NAMESPACE = Deno.env.get(MARKER) === "1";

/**
 * Re-run the test file `file` inside `unshare -rn` (unprivileged user +
 * network namespace, loopback up). Throws with the inner output on failure.
 */
export async function runInLoopbackNamespace(
  file: string | URL,
  timeoutMs = 180_000,
): Promise<void> {
  const path = typeof file === "string" ? file : file.pathname;
  const command = new Deno.Command("unshare", {
    args: [
      "-rn",
      "sh",
      "-c",
      'ip link set lo up && exec "$@"',
      "loopback-ns",
      Deno.execPath(),
      "test",
      "-A",
      path,
    ],
    env: { [MARKER]: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  });
  const { code, stdout, stderr } = await command.output();
  const output = new TextDecoder().decode(stdout) +
    new TextDecoder().decode(stderr);
  if (code !== 0) {
    throw new Error(
      `Test in loopback namespace failed (exit ${code}):\n${
        output.slice(-6000)
      }`,
    );
  }
}
