import assert from "node:assert/strict";
import {
  addressKey,
  cidrContains,
  formatIp,
  isNonPublic,
  parseCidr,
  parseIp,
} from "../../utils/ip.ts";

Deno.test("parseIp() reads IPv4, IPv6 and IPv4-mapped IPv6, and refuses the rest", () => {
  assert.deepEqual([...parseIp("192.0.2.1")!], [192, 0, 2, 1]);
  assert.deepEqual([...parseIp("::ffff:192.0.2.1")!], [192, 0, 2, 1]);
  assert.deepEqual([...parseIp("[::1]")!], [...new Array(15).fill(0), 1]);
  assert.equal(formatIp(parseIp("2001:DB8:0:0:0:0:0:1")!), "2001:db8::1");
  assert.equal(formatIp(parseIp("fe80::1%eth0")!), "fe80::1");
  assert.equal(formatIp(parseIp("1:2:3:4:5:6:7:8")!), "1:2:3:4:5:6:7:8");
  for (
    const bad of [
      "",
      "1.2.3",
      "1.2.3.256",
      "01.2.3.4",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "::g",
      "evil.example",
      "1.2.3.4::",
    ]
  ) {
    assert.equal(parseIp(bad), undefined, bad);
  }
});

Deno.test("CIDR ranges hold what they should, IPv4 and IPv6 apart", () => {
  const ten = parseCidr("10.0.0.0/8");
  assert.ok(cidrContains(ten, parseIp("10.200.3.4")!));
  assert.ok(!cidrContains(ten, parseIp("11.0.0.1")!));
  assert.ok(cidrContains(parseCidr("192.0.2.7"), parseIp("192.0.2.7")!));
  assert.ok(
    cidrContains(parseCidr("2001:db8::/32"), parseIp("2001:db8:ffff::1")!),
  );
  assert.ok(!cidrContains(ten, parseIp("::ffff:11.0.0.1")!));
  assert.ok(
    cidrContains(parseCidr("172.16.0.0/12"), parseIp("172.31.255.255")!),
  );
  assert.ok(!cidrContains(parseCidr("172.16.0.0/12"), parseIp("172.32.0.0")!));
  assert.ok(
    cidrContains(parseCidr("::ffff:10.0.0.0/104"), parseIp("10.1.1.1")!),
  );
  assert.throws(() => parseCidr("10.0.0.0/33"), /prefix must be 0-32/);
  assert.throws(() => parseCidr("nope/8"), /Invalid CIDR "nope\/8"/);
});

Deno.test("isNonPublic() flags loopback, private, link-local and the like", () => {
  for (
    const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "224.0.0.1",
    ]
  ) {
    assert.ok(isNonPublic(parseIp(address)!), address);
  }
  for (const address of ["8.8.8.8", "200.160.2.3", "2001:4860::8888"]) {
    assert.ok(!isNonPublic(parseIp(address)!), address);
  }
});

Deno.test("addressKey() groups an IPv6 subscriber by its /64", () => {
  assert.equal(addressKey("192.0.2.1"), "192.0.2.1");
  assert.equal(addressKey("::ffff:192.0.2.1"), "192.0.2.1");
  assert.equal(addressKey("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:db8:1:2:bbbb::9"), "2001:db8:1:2::/64");
  assert.equal(addressKey("unknown"), "unknown");
});
