import assert from "node:assert/strict";
import {
  DEFAULT_CORE_TUNING,
  DEFAULT_ICE_SERVERS,
  p2pConfigFromEnv,
  parseCoreTuning,
  parseIceServers,
} from "../../p2p/config.ts";

const env = (values: Record<string, string>) => (name: string) => values[name];

Deno.test("p2pConfigFromEnv() defaults: P2P on, this site's tracker, RedFlix's public STUN servers", () => {
  const config = p2pConfigFromEnv(env({}));
  assert.equal(config.enabled, true);
  assert.equal(config.trackerUrl, null);
  assert.deepEqual(config.iceServers, [
    { urls: "stun:stun.l.google.com:19302" },
    { urls: "stun:global.stun.twilio.com:3478" },
  ]);
  assert.deepEqual(config.iceServers, DEFAULT_ICE_SERVERS);
  assert.deepEqual(config.core, DEFAULT_CORE_TUNING);
  assert.equal(config.relayOnly, false);
  assert.equal(config.uploadOnMetered, false);
  assert.equal(config.nearFirst, true);
});

Deno.test("p2pConfigFromEnv() reads every setting", () => {
  const config = p2pConfigFromEnv(env({
    P2P_ENABLED: "false",
    P2P_TRACKER_URL: "wss://tracker.redflix.example/tracker/ws",
    ICE_SERVERS:
      '[{"urls":["turn:turn.example:3478"],"username":"u","credential":"p"}]',
    P2P_CORE_OPTIONS:
      '{"highDemandTimeWindow":20,"simultaneousP2PDownloads":5}',
    P2P_RELAY_ONLY: "true",
    P2P_UPLOAD_ON_METERED: "true",
    LOCALITY: "off",
  }));
  assert.equal(config.enabled, false);
  assert.equal(config.trackerUrl, "wss://tracker.redflix.example/tracker/ws");
  assert.deepEqual(config.iceServers, [{
    urls: ["turn:turn.example:3478"],
    username: "u",
    credential: "p",
  }]);
  assert.equal(config.core.highDemandTimeWindow, 20);
  assert.equal(config.core.simultaneousP2PDownloads, 5);
  assert.equal(
    config.core.p2pDownloadTimeWindow,
    DEFAULT_CORE_TUNING.p2pDownloadTimeWindow,
  );
  assert.equal(config.relayOnly, true);
  assert.equal(config.uploadOnMetered, true);
  assert.equal(
    config.nearFirst,
    false,
    "LOCALITY=off: the player keeps far links",
  );
  assert.deepEqual(p2pConfigFromEnv(env({ ICE_SERVERS: "[]" })).iceServers, []);
});

Deno.test("bad P2P settings fail with the variable named", () => {
  assert.throws(() => parseIceServers("{"), /Invalid ICE_SERVERS: not JSON/);
  assert.throws(
    () => parseIceServers("{}"),
    /Invalid ICE_SERVERS: expected a JSON array/,
  );
  assert.throws(
    () => parseIceServers('[{"urls":"http://x"}]'),
    /Invalid ICE_SERVERS\[0\].urls: expected stun:\/turn: URL/,
  );
  assert.throws(
    () => parseIceServers('[{"urls":"turn:x","credential":5}]'),
    /Invalid ICE_SERVERS\[0\].credential/,
  );
  assert.deepEqual(
    parseCoreTuning('{"httpNotReceivingBytesTimeoutMs":10000}'),
    { httpNotReceivingBytesTimeoutMs: 10000 },
    "an HTTP download's silence limit is tunable",
  );
  assert.throws(
    () => parseCoreTuning('{"swarmId":"x"}'),
    /unknown option "swarmId"/,
  );
  assert.throws(
    () => parseCoreTuning('{"highDemandTimeWindow":-1}'),
    /P2P_CORE_OPTIONS.highDemandTimeWindow: expected a non-negative number/,
  );
  assert.throws(
    () => p2pConfigFromEnv(env({ P2P_ENABLED: "maybe" })),
    /Invalid P2P_ENABLED/,
  );
  assert.throws(
    () => p2pConfigFromEnv(env({ P2P_TRACKER_URL: "http://x" })),
    /Invalid P2P_TRACKER_URL/,
  );
});

Deno.test("a removed setting still set is reported, not silently ignored", () => {
  const warnings: string[] = [];
  p2pConfigFromEnv(
    env({ P2P_JOIN_WAIT_MS: "2000" }),
    (message) => warnings.push(message),
  );
  assert.equal(warnings.length, 1);
  assert.match(warnings.join("\n"), /P2P_JOIN_WAIT_MS is no longer used/);
  p2pConfigFromEnv(env({}), (message) => warnings.push(message));
  assert.equal(warnings.length, 1, "nothing to report");
});
