import assert from "node:assert/strict";
import {
  clientAddress,
  parseTrustProxy,
  TRUST_NO_PROXY,
} from "../../utils/client_address.ts";

const peer = (hostname: string): Deno.Addr => ({
  transport: "tcp",
  hostname,
  port: 1234,
});

function request(forwardedFor?: string): Request {
  return new Request("http://site.example/", {
    headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {},
  });
}

Deno.test("parseTrustProxy() reads off, a number of hops, or proxy ranges", () => {
  assert.deepEqual(parseTrustProxy(undefined), TRUST_NO_PROXY);
  assert.deepEqual(parseTrustProxy("false"), TRUST_NO_PROXY);
  assert.deepEqual(parseTrustProxy("0"), TRUST_NO_PROXY);
  assert.deepEqual(parseTrustProxy("2"), { kind: "hops", hops: 2 });
  assert.equal(parseTrustProxy("10.0.0.0/8, 127.0.0.1").kind, "cidrs");
  assert.throws(
    () => parseTrustProxy("true"),
    /leftmost X-Forwarded-For entry/,
  );
  assert.throws(() => parseTrustProxy("lots"), /Invalid TRUST_PROXY/);
  assert.throws(() => parseTrustProxy("99"), /more than 10/);
});

Deno.test("clientAddress() never believes what the client writes on the left", () => {
  const forged = "198.51.100.7, 203.0.113.9";
  assert.equal(
    clientAddress(request(forged), peer("10.0.0.2"), TRUST_NO_PROXY),
    "10.0.0.2",
    "no proxy: the socket's peer",
  );
  assert.equal(
    clientAddress(request(forged), peer("10.0.0.2"), { kind: "hops", hops: 1 }),
    "203.0.113.9",
    "one proxy: the entry it appended",
  );
  assert.equal(
    clientAddress(request(forged), peer("10.0.0.2"), { kind: "hops", hops: 2 }),
    "198.51.100.7",
  );
  assert.equal(
    clientAddress(request(), peer("10.0.0.2"), { kind: "hops", hops: 1 }),
    "10.0.0.2",
    "a request that bypassed the proxy is its own client",
  );
  const proxies = parseTrustProxy("10.0.0.0/8");
  assert.equal(
    clientAddress(
      request("198.51.100.7, 203.0.113.9, 10.0.0.3"),
      peer("10.0.0.2"),
      proxies,
    ),
    "203.0.113.9",
    "the first address from the right that is not a trusted proxy",
  );
  assert.equal(
    clientAddress(request("10.0.0.5"), peer("10.0.0.2"), proxies),
    "10.0.0.5",
    "all trusted: the leftmost",
  );
});
