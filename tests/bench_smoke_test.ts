import assert from "node:assert/strict";

// Benchmarks are not tests: nothing here judges speed. This only proves the
// benchmark still runs end to end (tiny sizes), so it cannot rot.

/** Run a benchmark script; its stdout, once it exited with 0. */
async function runBench(...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    cwd: new URL("../", import.meta.url).pathname,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout);
}

Deno.test("deno task bench still runs: side-by-side smoke run", async () => {
  const out = await runBench("bench/side_by_side.ts", "--smoke");
  assert.match(
    out,
    /\| metric \| RedFlix \(Deno\) \| bittorrent-tracker \(Node\) \| ratio \(ours\/reference\) \|/,
  );
  for (
    const metric of [
      "exchanges per second",
      "tracker CPU per 1000 exchanges",
      "round trip p99",
      "RSS per idle peer",
    ]
  ) {
    assert.match(out, new RegExp(`\\| [^|]*${metric}[^|]* \\| \\d`), metric);
  }
  // The cluster row: 2 instances on one redis-server against 1 instance.
  assert.match(out, /\| 2 instances \+ Redis \| 1 instance \| ratio \|/);
  assert.match(out, /\| relay latency added, p99 \| -?\d+\.\d+ ms \|/);
  assert.match(out, /socket errors during load: 0;/);
  assert.match(
    out,
    /idle peers connected \(of 100\) \| 100 \(0 failed\) \| 100 \(0 failed\)/,
  );
});

Deno.test("the socket floor benchmark still runs (tiny size)", async () => {
  const out = await runBench("bench/socket_floor.ts", "50");
  for (
    const stack of [
      "under Node",
      "Deno.upgradeWebSocket",
      "under Deno",
      "raw Deno.listen",
    ]
  ) {
    assert.match(
      out,
      new RegExp(`\\| [^|]*${stack}[^|]* \\| -?\\d+\\.\\d KB \\|`),
      stack,
    );
  }
});

Deno.test("the soak task still runs (a few waves; it judges nothing here)", async () => {
  const out = await runBench(
    "--v8-flags=--expose-gc",
    "scripts/soak.ts",
    "--smoke",
  );
  assert.match(out, /soak: heap baseline [\d.]+ MB, end [\d.]+ MB/);
  assert.match(out, /tracker left with 0 peers, 0 swarms, 0 sockets/);
});
