import assert from "node:assert/strict";
import { TurnPeers } from "../../scripts/lab/turn_peers.ts";

const COOKIE = [0x21, 0x12, 0xa4, 0x42];

/** An XOR-mapped IPv4 attribute value for `ip:port`. */
function xorAddress(ip: string, port: number): number[] {
  const xport = port ^ 0x2112;
  return [
    0,
    0x01,
    xport >> 8,
    xport & 0xff,
    ...ip.split(".").map((b, i) => Number(b) ^ COOKIE[i]!),
  ];
}

/** A STUN message of `type` with `attributes` (type → value bytes). */
function stun(type: number, attributes: Array<[number, number[]]>): Uint8Array {
  const body: number[] = [];
  for (const [attribute, value] of attributes) {
    body.push(
      attribute >> 8,
      attribute & 0xff,
      value.length >> 8,
      value.length & 0xff,
      ...value,
    );
    while (body.length % 4) body.push(0);
  }
  return new Uint8Array([
    type >> 8,
    type & 0xff,
    body.length >> 8,
    body.length & 0xff,
    ...COOKIE,
    ...new Array(12).fill(7),
    ...body,
  ]);
}

Deno.test("TurnPeers: relayed data is traced back to the viewer it came from", () => {
  const peers = new TurnPeers();
  // coturn gives viewer 0 and viewer 1 their relayed addresses.
  assert.equal(
    peers.toViewer(
      0,
      "0:5000",
      stun(0x0103, [[0x0016, xorAddress("127.0.0.1", 50001)]]),
    ),
    undefined,
  );
  peers.toViewer(
    1,
    "1:6000",
    stun(0x0103, [[0x0016, xorAddress("127.0.0.1", 50002)]]),
  );
  // Viewer 1 binds channel 0x4001 to viewer 0's relayed address.
  peers.fromViewer(
    "1:6000",
    stun(0x0009, [[0x000c, [0x40, 0x01, 0, 0]], [
      0x0012,
      xorAddress("127.0.0.1", 50001),
    ]]),
  );
  const channelData = new Uint8Array([0x40, 0x01, 0, 4, 1, 2, 3, 4]);
  assert.equal(
    peers.toViewer(1, "1:6000", channelData),
    0,
    "ChannelData from viewer 0",
  );
  assert.equal(
    peers.toViewer(1, "1:7000", channelData),
    undefined,
    "another flow's channels are its own",
  );
  // A Data indication names its peer directly.
  const indication = stun(0x0017, [[0x0012, xorAddress("127.0.0.1", 50002)], [
    0x0013,
    [9, 9],
  ]]);
  assert.equal(peers.toViewer(0, "0:5000", indication), 1);
  // Anything else (a binding response, junk) says nothing.
  assert.equal(
    peers.toViewer(0, "0:5000", new Uint8Array([1, 2, 3])),
    undefined,
  );
  peers.forget("1:6000");
  assert.equal(peers.toViewer(1, "1:6000", channelData), undefined);
});
