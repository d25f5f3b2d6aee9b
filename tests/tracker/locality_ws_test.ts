/**
 * Nearby peers first, against the real server: WebTorrent clients in three
 * "regions" (addresses given by a trusted proxy header, placed by a
 * locality table) announce; a newcomer's offers go to its own region's
 * peers, and nothing about where anyone sits reaches a JSON route.
 */
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { fakeSdp, id20, TestSocket } from "../helpers/ws_client.ts";
import { DEFAULT_LOCALITY_CONFIG } from "../../tracker/locality.ts";
import { LocalityTable } from "../../tracker/locality_table.ts";

const INFO_HASH = "L0ca1ityL0ca1ityL0ca";

const TABLE = LocalityTable.parse(
  [
    "198.51.100.0/25,NET-SP,BR-SP",
    "198.51.101.0/24,NET-SP2,BR-SP",
    "203.0.113.0/24,NET-RJ,BR-RJ",
    "192.0.2.0/24,NET-POA,BR-RS",
  ].join("\n"),
  "regions.csv",
);

/** Where each client connects from, by region. */
const ADDRESSES = {
  sp: ["198.51.100.10", "198.51.100.11"],
  sp2: ["198.51.101.200"], // same region, another network
  rj: ["203.0.113.10", "203.0.113.11"],
  rs: ["192.0.2.10", "192.0.2.11"],
};

function offers(count: number, prefix: string) {
  return Array.from({ length: count }, (_, i) => ({
    offer: { type: "offer", sdp: fakeSdp("offer") },
    offer_id: id20(`${prefix}${i}-`),
  }));
}

async function openFrom(server: TestServer, address: string) {
  // As behind one proxy that appends the address it saw.
  return await TestSocket.open(
    server.url.replace("http", "ws") + "/tracker/ws?channel=demo",
    { "x-forwarded-for": address },
  );
}

/**
 * A newcomer at `address` announces with `numwant` offers; its socket
 * joins `sockets` (closed at the end).
 */
async function announceFrom(
  server: TestServer,
  sockets: TestSocket[],
  address: string,
  peerId: string,
  numwant: number,
): Promise<TestSocket> {
  const newcomer = await openFrom(server, address);
  sockets.push(newcomer);
  newcomer.send({
    action: "announce",
    info_hash: INFO_HASH,
    peer_id: peerId,
    numwant,
    offers: offers(numwant, address),
  });
  return newcomer;
}

/** Every client joins the swarm; returns each one's peer_id and socket. */
async function joinAll(server: TestServer) {
  const joined = new Map<string, TestSocket>();
  for (const [region, addresses] of Object.entries(ADDRESSES)) {
    for (const [i, address] of addresses.entries()) {
      const socket = await openFrom(server, address);
      const peerId = id20(`${region}${i}-`);
      socket.send({
        action: "announce",
        info_hash: INFO_HASH,
        peer_id: peerId,
        numwant: 0,
        event: "started",
        offers: [],
      });
      await socket.next(); // the announce reply
      joined.set(peerId, socket);
    }
  }
  return joined;
}

/** Which joined peers received an offer from `from` (by peer_id). */
async function recipients(joined: Map<string, TestSocket>, from: string) {
  const got: string[] = [];
  for (const [peerId, socket] of joined) {
    for (const frame of await socket.drain(150)) {
      if (frame.offer && frame.peer_id === from) got.push(peerId);
    }
  }
  return got;
}

Deno.test("offers go to peers of the same network first, then the same region; LOCALITY=off is random", async (t) => {
  const server = await startTestServer({
    buildDir: false,
    trustProxy: { kind: "hops", hops: 1 },
    tracker: {
      locality: { ...DEFAULT_LOCALITY_CONFIG, randomShare: 0, table: TABLE },
      pairingHoldMs: 0, // a step re-announces to the same peers at once
    },
  });
  const sockets: TestSocket[] = [];
  try {
    const joined = await joinAll(server);
    sockets.push(...joined.values());

    await t.step(
      "a São Paulo newcomer's two offers reach the two on its /24",
      async () => {
        const peerId = id20("new-sp-");
        const newcomer = await announceFrom(
          server,
          sockets,
          "198.51.100.12",
          peerId,
          2,
        );
        const got = await recipients(joined, peerId);
        assert.deepEqual(got.sort(), [id20("sp0-"), id20("sp1-")].sort());
        joined.set(peerId, newcomer);
      },
    );

    await t.step(
      "once its /24 is used up, offers go to its region on another network",
      async () => {
        const peerId = id20("new-sp3-");
        const newcomer = await announceFrom(
          server,
          sockets,
          "198.51.100.13",
          peerId,
          4,
        );
        const got = await recipients(joined, peerId);
        assert.deepEqual(
          got.sort(),
          [id20("sp0-"), id20("sp1-"), id20("new-sp-"), id20("sp20-")]
            .sort(),
        );
        joined.set(peerId, newcomer);
      },
    );

    await t.step(
      "a re-announce reaches near peers only: no far peer fills its offers",
      async () => {
        const peerId = id20("new-sp-");
        const socket = joined.get(peerId)!;
        socket.send({
          action: "announce",
          info_hash: INFO_HASH,
          peer_id: peerId,
          numwant: 5,
          offers: offers(5, "again"),
        });
        const got = await recipients(joined, peerId);
        // Its four near peers; the fifth offer used to go to another region.
        assert.deepEqual(
          got.sort(),
          [id20("sp0-"), id20("sp1-"), id20("new-sp3-"), id20("sp20-")]
            .sort(),
        );
      },
    );

    await t.step("a newcomer with no one near gets random peers", async () => {
      const peerId = id20("far-");
      await announceFrom(
        server,
        sockets,
        "100.64.0.1",
        peerId,
        3,
      );
      assert.equal((await recipients(joined, peerId)).length, 3);
    });

    await t.step(
      "the stats count offers by nearness; no address or locality leaks",
      async () => {
        const stats =
          await (await fetch(`${server.url}/tracker/stats?swarms=1`))
            .json();
        assert.deepEqual(stats.locality, {
          prefix: 2 + 3 + 3,
          network: 0,
          region: 1 + 1,
          random: 3,
        });
        const hex = [...INFO_HASH].map((c) =>
          c.charCodeAt(0).toString(16).padStart(2, "0")
        ).join("");
        for (
          const route of [
            "/tracker/stats?swarms=1",
            `/tracker/peers/${hex}`,
            "/tracker/channels/demo",
            "/metrics",
          ]
        ) {
          const text = await (await fetch(server.url + route)).text();
          for (
            const secret of ["198.51.100", "203.0.113", "NET-SP", "BR-SP"]
          ) {
            assert.ok(!text.includes(secret), `${route} shows ${secret}`);
          }
        }
      },
    );
  } finally {
    await Promise.all(sockets.map((socket) => socket.close()));
    await server.close();
  }
});

Deno.test("LOCALITY=off: the same clients get random peers, all counted random", async () => {
  const server = await startTestServer({
    buildDir: false,
    trustProxy: { kind: "hops", hops: 1 },
    tracker: {
      locality: {
        ...DEFAULT_LOCALITY_CONFIG,
        enabled: false,
        randomShare: 0,
        table: TABLE,
      },
    },
  });
  const sockets: TestSocket[] = [];
  try {
    const joined = await joinAll(server);
    sockets.push(...joined.values());
    const outside = new Set<string>();
    for (let round = 0; round < 12; round++) {
      const peerId = id20(`off${round}-`);
      await announceFrom(
        server,
        sockets,
        `198.51.100.${20 + round}`,
        peerId,
        2,
      );
      for (const got of await recipients(joined, peerId)) {
        if (!got.startsWith("sp")) outside.add(got);
      }
    }
    assert.ok(outside.size >= 2, "offers went to other regions too");
    const stats = await (await fetch(`${server.url}/tracker/stats`)).json();
    assert.equal(stats.locality.prefix + stats.locality.network, 0);
    assert.ok(stats.locality.random >= 20);
  } finally {
    await Promise.all(sockets.map((socket) => socket.close()));
    await server.close();
  }
});
