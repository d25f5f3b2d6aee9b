import assert from "node:assert/strict";
import {
  DEFAULT_TRACKER_CONFIG,
  trackerConfigFromEnv,
} from "../../tracker/config.ts";

function env(values: Record<string, string>) {
  return (name: string) => values[name];
}

Deno.test("trackerConfigFromEnv() has sane defaults: 60 s timeout, interval well inside it", () => {
  const config = trackerConfigFromEnv(env({}));
  assert.deepEqual(config, DEFAULT_TRACKER_CONFIG);
  assert.equal(config.peerTimeoutMs, 60_000);
  assert.ok(config.announceIntervalS * 2 * 1000 <= config.peerTimeoutMs);
});

Deno.test("trackerConfigFromEnv() reads every setting", () => {
  const config = trackerConfigFromEnv(env({
    TRACKER_ANNOUNCE_INTERVAL: "30",
    TRACKER_PEER_TIMEOUT: "90",
    TRACKER_MAX_NUMWANT: "4",
    TRACKER_MAX_OFFERS: "6",
    TRACKER_MAX_MESSAGE_SIZE: "32768",
    TRACKER_IDLE_TIMEOUT: "15",
    TRACKER_PAIRING_HOLD: "5",
    ALLOWED_ORIGINS: "https://a.example, https://b.example/ ,",
  }));
  assert.equal(config.announceIntervalS, 30);
  assert.equal(config.peerTimeoutMs, 90_000);
  assert.equal(config.maxNumwant, 4);
  assert.equal(config.maxOffers, 6);
  assert.equal(config.maxMessageSize, 32768);
  assert.equal(config.idleTimeoutS, 15);
  assert.equal(config.pairingHoldMs, 5000);
  assert.equal(
    trackerConfigFromEnv(env({ TRACKER_PAIRING_HOLD: "0" })).pairingHoldMs,
    0,
    "0 turns the hold off",
  );
  assert.deepEqual(config.allowedOrigins, [
    "https://a.example",
    "https://b.example",
  ]);
});

Deno.test("trackerConfigFromEnv() refuses bad values with the variable named", () => {
  assert.throws(
    () => trackerConfigFromEnv(env({ TRACKER_MAX_NUMWANT: "lots" })),
    /Invalid TRACKER_MAX_NUMWANT: expected a positive whole number, got "lots"/,
  );
  assert.throws(
    () => trackerConfigFromEnv(env({ TRACKER_PAIRING_HOLD: "-1" })),
    /Invalid TRACKER_PAIRING_HOLD: expected a whole number from 0, got "-1"/,
  );
  assert.throws(
    () => trackerConfigFromEnv(env({ TRACKER_PEER_TIMEOUT: "-5" })),
    /Invalid TRACKER_PEER_TIMEOUT/,
  );
  assert.throws(
    () => trackerConfigFromEnv(env({ TRACKER_ANNOUNCE_INTERVAL: "45" })),
    /Invalid TRACKER_ANNOUNCE_INTERVAL: 45 s must be at most half of TRACKER_PEER_TIMEOUT \(60 s\)/,
  );
});
