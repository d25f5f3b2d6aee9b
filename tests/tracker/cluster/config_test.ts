import assert from "node:assert/strict";
import {
  clusterConfigFromEnv,
  createBackend,
  DEFAULT_CLUSTER_CONFIG,
  KvBackend,
  RedisBackend,
} from "../../../tracker/cluster/mod.ts";
import {
  decodeEnvelopes,
  encodeEnvelopes,
  type RelayEnvelope,
} from "../../../tracker/cluster/backend.ts";

function fromEnv(values: Record<string, string>) {
  return clusterConfigFromEnv((name) => values[name]);
}

Deno.test("clusterConfigFromEnv() picks the shared engine", async (t) => {
  await t.step("one instance with no engine by default", () => {
    assert.deepEqual(fromEnv({}), {
      ...DEFAULT_CLUSTER_CONFIG,
      kvPath: undefined,
    });
    assert.equal(
      createBackend(fromEnv({}), { peerTimeoutMs: 60_000 }),
      undefined,
    );
  });

  await t.step("redis and kv name their backends", () => {
    const redis = fromEnv({
      TRACKER_BACKEND: "Redis",
      REDIS_URL: "redis://10.0.0.5:6380/2",
    });
    assert.equal(redis.redisUrl, "redis://10.0.0.5:6380/2");
    assert.ok(
      createBackend(redis, { peerTimeoutMs: 60_000 }) instanceof RedisBackend,
    );
    const kv = fromEnv({
      TRACKER_BACKEND: "kv",
      DENO_KV_PATH: "/tmp/x.sqlite",
    });
    assert.equal(kv.kvPath, "/tmp/x.sqlite");
    assert.ok(
      createBackend(kv, { peerTimeoutMs: 60_000 }) instanceof KvBackend,
    );
  });

  await t.step("bad values are refused with the variable named", () => {
    assert.throws(
      () => fromEnv({ TRACKER_BACKEND: "postgres" }),
      /Invalid TRACKER_BACKEND: expected one of memory, redis, kv, got "postgres"/,
    );
    assert.throws(
      () =>
        fromEnv({ TRACKER_BACKEND: "redis", REDIS_URL: "http://localhost" }),
      /Invalid REDIS_URL/,
    );
    assert.throws(
      () => fromEnv({ CLUSTER_PREFIX: "a b" }),
      /Invalid CLUSTER_PREFIX/,
    );
  });
});

Deno.test("relay envelopes carry binary ids, several to a message, frames untouched", () => {
  const envelope: RelayEnvelope = {
    kind: "answer",
    infoHash: '\u0000\u00ff\n "x'.padEnd(20, "\u00e9"),
    from: "-PM0203-".padEnd(20, "\n"),
    fromInstance: "abc123",
    to: "-WW0001-".padEnd(20, "\u0001"),
    offerId: "o".repeat(20),
    frame: '{"answer":{"sdp":"v=0\\r\\n"},"x":"\n"}',
  };
  const other = { ...envelope, kind: "offer" as const, frame: "{}" };
  const text = encodeEnvelopes([envelope, other]);
  assert.ok(text.includes(envelope.frame), "the frame is carried as is");
  assert.deepEqual(decodeEnvelopes(text), [envelope, other]);
  assert.deepEqual(decodeEnvelopes(""), []);
  assert.throws(() => decodeEnvelopes("hello"), /Invalid relay envelope/);
  assert.throws(
    () => decodeEnvelopes('["offer"]\n{}'),
    /Invalid relay envelope/,
  );
  assert.throws(
    () => decodeEnvelopes(text.slice(0, -5)),
    /Invalid relay envelope/,
    "a cut frame is refused",
  );
});
