/**
 * Waits for what another process or instance does in its own time (a
 * heartbeat, a publish, a sweep): retries an assertion until it holds.
 * @module
 */

/** Poll `check` every 50 ms until it stops throwing; rethrow its error after `ms`. */
export async function eventually(
  check: () => Promise<void> | void,
  ms = 3000,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
