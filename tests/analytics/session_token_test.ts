import assert from "node:assert/strict";
import { SessionIssuer, SessionTokens } from "../../analytics/session_token.ts";

const SECRET = "a-test-secret-that-is-long-enough-0123456789";

Deno.test("session tokens: minted by the server, refused when forged, moved or stale", async () => {
  const tokens = await SessionTokens.create(SECRET, 3600_000);
  const now = Date.UTC(2026, 10, 25, 20, 0, 0);
  const { token, claims } = await tokens.mint("demo", now);
  assert.deepEqual(await tokens.verify(token, now + 1000), claims);
  assert.equal(claims.channel, "demo");
  const parts = token.split(".");
  const forge = (index: number, value: string) =>
    parts.map((part, i) => (i === index ? value : part)).join(".");
  for (
    const [name, bad] of [
      ["another channel", forge(2, "ao-vivo")],
      ["an older page view", forge(3, (now - 3600_000).toString(36))],
      ["another session", forge(1, "A".repeat(22))],
      ["no signature", parts.slice(0, 4).join(".")],
      ["junk", "v1...."],
      ["huge", "v1." + "a".repeat(500)],
    ] as const
  ) {
    assert.equal(await tokens.verify(bad, now), undefined, name);
  }
  const other = await SessionTokens.create(SECRET.replace("a-", "b-"));
  assert.equal(await other.verify(token, now), undefined, "another secret");
  assert.equal(
    await tokens.verify(token, now + 3600_001),
    undefined,
    "expired",
  );
  assert.equal(
    await tokens.verify(token, now - 120_000),
    undefined,
    "from the future",
  );
  await assert.rejects(() => SessionTokens.create("short"), /at least 32/);
});

Deno.test("SessionIssuer gives one address a burst of sessions, then a trickle", async () => {
  let now = 0;
  const issuer = new SessionIssuer(await SessionTokens.create(SECRET), {
    perMinute: 6,
    burst: 3,
    clock: () => now,
  });
  const minted = [];
  for (let i = 0; i < 10; i++) {
    minted.push(await issuer.issue("demo", "192.0.2.1"));
  }
  assert.equal(minted.filter(Boolean).length, 3);
  assert.ok(await issuer.issue("demo", "192.0.2.2"), "another address");
  assert.ok(
    !(await issuer.issue("demo", "::ffff:192.0.2.1")),
    "the same address written as IPv6",
  );
  now += 10_000; // six a minute: one more every 10 s
  assert.ok(await issuer.issue("demo", "192.0.2.1"));
  assert.equal(await issuer.issue("demo", "192.0.2.1"), undefined);
});
