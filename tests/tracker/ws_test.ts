import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { fakeSdp, type Frame, id20, TestSocket } from "../helpers/ws_client.ts";
import { binaryToHex as toHex } from "../../utils/hex.ts";

const INFO_HASH = "H8xgGJQ+9fDTmfjl7YpP";
const OTHER_HASH = "Zz9yXwVu8tSrQp7oNmLk";

function wsUrl(server: TestServer): string {
  return server.url.replace("http", "ws") + "/tracker/ws";
}

function announce(infoHash: string, peerId: string, extra: Frame = {}): Frame {
  return {
    action: "announce",
    info_hash: infoHash,
    peer_id: peerId,
    numwant: 5,
    uploaded: 0,
    downloaded: 0,
    ...extra,
  };
}

function offers(count: number, prefix: string): Frame[] {
  return Array.from({ length: count }, (_, i) => ({
    offer: { type: "offer", sdp: fakeSdp("offer") },
    offer_id: id20(`${prefix}${i}-`),
  }));
}

async function stats(server: TestServer, query = "") {
  return await (await fetch(`${server.url}/tracker/stats${query}`)).json();
}

Deno.test("WebTorrent peers exchange offers and answers through the real tracker", async (t) => {
  const server = await startTestServer({ buildDir: false });
  const sockets: TestSocket[] = [];
  const open = async () => {
    const socket = await TestSocket.open(wsUrl(server));
    sockets.push(socket);
    return socket;
  };
  try {
    const alice = await open();
    const bob = await open();
    const aliceId = "-PM0203-kE6MddcR9c4a";
    const bobId = "-PM0203-DNLJ8YoDbsSF";

    await t.step(
      "the first announce gets the reply p2p-media-loader expects",
      async () => {
        alice.send(
          announce(INFO_HASH, aliceId, {
            event: "started",
            offers: offers(5, "a"),
          }),
        );
        assert.deepEqual(await alice.next(), {
          action: "announce",
          interval: 20,
          info_hash: INFO_HASH,
          complete: 0,
          incomplete: 1,
        });
        assert.deepEqual(
          await alice.drain(),
          [],
          "no one to send offers to yet",
        );
      },
    );

    let relayedOffer: Frame = {};
    await t.step(
      "a second peer's offer is relayed to the first, with its peer_id",
      async () => {
        const sent = offers(5, "b");
        bob.send(
          announce(INFO_HASH, bobId, { event: "started", offers: sent }),
        );
        assert.equal(
          (await bob.next((f) => f.action === "announce" && "interval" in f))
            .incomplete,
          2,
        );
        relayedOffer = await alice.next((f) => "offer" in f);
        assert.deepEqual(relayedOffer, {
          action: "announce",
          offer: sent[0]!.offer,
          offer_id: sent[0]!.offer_id,
          peer_id: bobId,
          info_hash: INFO_HASH,
        });
        assert.deepEqual(
          await alice.drain(),
          [],
          "one offer per receiving peer",
        );
      },
    );

    await t.step(
      "the answer goes back to the offering peer only, and gets no reply",
      async () => {
        const answer = { type: "answer", sdp: fakeSdp("answer") };
        alice.send(
          announce(INFO_HASH, aliceId, {
            to_peer_id: bobId,
            offer_id: relayedOffer.offer_id,
            answer,
          }),
        );
        assert.deepEqual(await bob.next((f) => "answer" in f), {
          action: "announce",
          answer,
          offer_id: relayedOffer.offer_id,
          peer_id: aliceId,
          info_hash: INFO_HASH,
        });
        assert.deepEqual(await alice.drain(), []);
      },
    );

    await t.step(
      "offers go to at most numwant random peers, never back to the sender",
      async () => {
        const carol = await open();
        const dave = await open();
        carol.send(
          announce(INFO_HASH, id20("-PM0203-carol"), {
            offers: offers(1, "c"),
          }),
        );
        await carol.next();
        await Promise.all([alice.drain(50), bob.drain(50)]);
        dave.send(
          announce(INFO_HASH, id20("-PM0203-dave"), {
            numwant: 2,
            offers: offers(5, "d"),
          }),
        );
        await dave.next((f) => "interval" in f);
        const received = (await Promise.all([alice, bob, carol, dave].map((s) =>
          s.drain(200)
        )))
          .map((frames) =>
            frames.filter((f) => "offer" in f).length
          );
        assert.equal(received[3], 0, "dave gets none of his own offers");
        assert.equal(
          received.reduce((a, b) => a + b, 0),
          2,
          `numwant caps the relays: ${received}`,
        );
        assert.ok(received.every((n) => n <= 1), "one offer per peer");
      },
    );

    await t.step("another swarm never sees these offers", async () => {
      const eve = await open();
      eve.send(
        announce(OTHER_HASH, id20("-PM0203-eve"), { offers: offers(5, "e") }),
      );
      assert.equal((await eve.next()).incomplete, 1);
      const leaked = (await Promise.all([alice, bob].map((s) => s.drain(150))))
        .flat();
      assert.deepEqual(leaked, []);
      eve.send(announce(OTHER_HASH, id20("-PM0203-eve"), {
        to_peer_id: aliceId,
        offer_id: id20("x"),
        answer: { type: "answer", sdp: "v=0" },
      }));
      const failure = await eve.next();
      assert.match(
        String(failure["failure reason"]),
        /Could not find the offer from 2d504d303230332d6b45364d6464635239633461 this answer is for; it may have expired/,
      );
      assert.equal(failure.info_hash, OTHER_HASH);
      assert.deepEqual(await alice.drain(100), [], "no cross-swarm answer");
    });

    await t.step("scrape answers for one, several or all swarms", async () => {
      const scraper = await open();
      scraper.send({ action: "scrape", info_hash: INFO_HASH });
      assert.deepEqual(await scraper.next(), {
        action: "scrape",
        files: { [INFO_HASH]: { complete: 0, incomplete: 4, downloaded: 0 } },
      });
      scraper.send({
        action: "scrape",
        info_hash: [INFO_HASH, OTHER_HASH, id20("nobody")],
      });
      const files = (await scraper.next()).files as Record<string, Frame>;
      assert.deepEqual(Object.keys(files), [
        INFO_HASH,
        OTHER_HASH,
        id20("nobody"),
      ]);
      assert.equal(files[id20("nobody")]!.incomplete, 0);
      scraper.send({ action: "scrape" });
      assert.deepEqual(
        Object.keys((await scraper.next()).files as Frame).sort(),
        [INFO_HASH, OTHER_HASH].sort(),
      );
    });

    await t.step("completed makes a seeder and counts a download", async () => {
      bob.send(announce(INFO_HASH, bobId, { event: "completed", left: 0 }));
      assert.deepEqual(await bob.next(), {
        action: "announce",
        interval: 20,
        info_hash: INFO_HASH,
        complete: 1,
        incomplete: 3,
      });
    });

    await t.step("stopped removes the peer at once", async () => {
      bob.send(announce(INFO_HASH, bobId, { event: "stopped" }));
      assert.equal((await bob.next()).incomplete, 3);
      const peers =
        await (await fetch(`${server.url}/tracker/peers/${toHex(INFO_HASH)}`))
          .json();
      assert.ok(!peers.peers.some((p: Frame) => p.peerId === toHex(bobId)));
    });

    await t.step("closing a socket removes its peers at once", async () => {
      await alice.close();
      const after = await stats(server, "?swarms=1");
      const row = after.swarmDetails.find((s: Frame) =>
        s.infoHash === toHex(INFO_HASH)
      );
      assert.equal(row.peers, 2);
    });
  } finally {
    await Promise.all(sockets.map((s) => s.close()));
    await server.close();
  }
});

Deno.test("one socket announces several info_hashes (main and secondary streams)", async () => {
  const server = await startTestServer({ buildDir: false });
  try {
    const shared = await TestSocket.open(wsUrl(server));
    const other = await TestSocket.open(wsUrl(server));
    shared.send(announce(INFO_HASH, id20("-PM0203-main")));
    shared.send(announce(OTHER_HASH, id20("-PM0203-audio")));
    await shared.next((f) => f.info_hash === INFO_HASH);
    await shared.next((f) => f.info_hash === OTHER_HASH);
    other.send(
      announce(OTHER_HASH, id20("-PM0203-other"), { offers: offers(3, "o") }),
    );
    const offer = await shared.next((f) => "offer" in f);
    assert.equal(offer.info_hash, OTHER_HASH);
    assert.equal((await stats(server)).peers, 3);
    await shared.close();
    // Every peer of the closed socket left, not just the first (bittorrent-tracker's bug).
    assert.equal((await stats(server)).peers, 1);
    await other.close();
    const empty = await stats(server);
    assert.equal(empty.swarms, 0, "empty swarms are removed");
  } finally {
    await server.close();
  }
});

Deno.test("peers that stop announcing are dropped after the timeout", async () => {
  const server = await startTestServer({
    buildDir: false,
    tracker: { peerTimeoutMs: 1000, announceIntervalS: 1 },
  });
  try {
    const quiet = await TestSocket.open(wsUrl(server));
    const chatty = await TestSocket.open(wsUrl(server));
    quiet.send(announce(INFO_HASH, id20("-PM0203-quiet")));
    chatty.send(announce(INFO_HASH, id20("-PM0203-chatty")));
    const reply = await quiet.next();
    assert.equal(
      reply.interval,
      1,
      "the interval keeps live peers inside the timeout",
    );
    const deadline = Date.now() + 4000;
    while (Date.now() < deadline) {
      chatty.send(announce(INFO_HASH, id20("-PM0203-chatty")));
      await chatty.next();
      const { peers, peerEvents } = await stats(server);
      if (peerEvents.timedOut === 1) {
        assert.equal(peers, 1);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { peerEvents } = await stats(server);
    assert.equal(
      peerEvents.timedOut,
      1,
      "the quiet peer timed out, the chatty one did not",
    );
    const peers =
      await (await fetch(`${server.url}/tracker/peers/${toHex(INFO_HASH)}`))
        .json();
    assert.deepEqual(peers.peers.map((p: Frame) => p.peerId), [
      toHex(id20("-PM0203-chatty")),
    ]);
    await quiet.close();
    await chatty.close();
  } finally {
    await server.close();
  }
});

Deno.test("the simple signaling API relays inside a swarm only", async (t) => {
  const server = await startTestServer({ buildDir: false });
  const [alice, bob, mallory] = await Promise.all(
    [1, 2, 3].map(() => TestSocket.open(wsUrl(server))),
  );
  try {
    await t.step("announce returns the other peers of the swarm", async () => {
      alice!.send({ type: "announce", peerId: "alice", infoHash: "canal-1" });
      assert.deepEqual(await alice!.next(), {
        type: "peers",
        infoHash: "canal-1",
        peers: [],
      });
      bob!.send({ type: "announce", peerId: "bob", infoHash: "canal-1" });
      assert.deepEqual(await bob!.next(), {
        type: "peers",
        infoHash: "canal-1",
        peers: ["alice"],
      });
      mallory!.send({
        type: "announce",
        peerId: "mallory",
        infoHash: "canal-2",
      });
      assert.deepEqual(await mallory!.next(), {
        type: "peers",
        infoHash: "canal-2",
        peers: [],
      });
    });
    await t.step("offer, answer and ice reach the addressed peer", async () => {
      for (const type of ["offer", "answer", "ice"]) {
        bob!.send({
          type,
          from: "bob",
          to: "alice",
          data: { sdp: `${type}-data` },
        });
        assert.deepEqual(await alice!.next(), {
          type,
          from: "bob",
          to: "alice",
          data: { sdp: `${type}-data` },
        });
      }
    });
    await t.step(
      "no relay across swarms, and no sending as someone else",
      async () => {
        mallory!.send({
          type: "offer",
          from: "mallory",
          to: "alice",
          data: "x",
        });
        assert.deepEqual(await mallory!.next(), {
          type: "error",
          message: "Unknown peer alice: not in a swarm with mallory",
        });
        mallory!.send({ type: "offer", from: "bob", to: "alice", data: "x" });
        assert.match(
          String((await mallory!.next()).message),
          /Announce before relaying: bob is not a peer of this connection/,
        );
        assert.deepEqual(await alice!.drain(100), []);
      },
    );
    await t.step("/tracker/peers answers for simple swarms by id", async () => {
      const body = await (await fetch(`${server.url}/tracker/peers/canal-1`))
        .json();
      assert.equal(body.protocol, "simple");
      assert.deepEqual(body.peers.map((p: Frame) => p.peerId), [
        "alice",
        "bob",
      ]);
    });
  } finally {
    await Promise.all([alice, bob, mallory].map((s) => s!.close()));
    await server.close();
  }
});

Deno.test("bad frames get a clear failure reason or close code; everyone else keeps being served", async (t) => {
  const server = await startTestServer({
    buildDir: false,
    tracker: { maxMessageSize: 4096 },
  });
  const good = await TestSocket.open(wsUrl(server));
  const peer = await TestSocket.open(wsUrl(server));
  try {
    good.send(announce(INFO_HASH, id20("-PM0203-good")));
    await good.next();

    const failures: Array<[string, RegExp]> = [
      ["{not json", /Invalid message: not JSON/],
      ["[]", /expected a JSON object/],
      [
        '{"action":"announce","info_hash":5}',
        /Invalid info_hash: expected a string, got number/,
      ],
      ['{"action":"teleport"}', /Unknown action/],
      [
        JSON.stringify(announce("short", "x")),
        /Invalid info_hash: expected 20 characters, got 5/,
      ],
      [
        JSON.stringify(
          announce(INFO_HASH, id20("-PM0203-bad"), {
            to_peer_id: id20("ghost"),
            offer_id: id20("o"),
            answer: { type: "answer", sdp: "v" },
          }),
        ),
        /Announce before answering/,
      ],
    ];
    for (const [frame, reason] of failures) {
      await t.step(`${frame.slice(0, 40)} → failure reason`, async () => {
        peer.send(frame);
        const reply = await peer.next();
        assert.match(String(reply["failure reason"]), reason);
        assert.ok(peer.open);
      });
    }

    await t.step("a well-behaved peer is still served", async () => {
      peer.send(
        announce(INFO_HASH, id20("-PM0203-peer"), { offers: offers(1, "p") }),
      );
      await peer.next();
      assert.equal(
        (await good.next((f) => "offer" in f)).peer_id,
        id20("-PM0203-peer"),
      );
    });

    await t.step("a binary frame closes the socket with 1003", async () => {
      const binary = await TestSocket.open(wsUrl(server));
      binary.send(new Uint8Array([1, 2, 3]));
      const event = await binary.closed;
      assert.equal(event.code, 1003);
    });

    await t.step("an oversized frame closes the socket with 1009", async () => {
      const big = await TestSocket.open(wsUrl(server));
      big.send(
        JSON.stringify(
          announce(INFO_HASH, id20("-PM0203-big"), { pad: "x".repeat(5000) }),
        ),
      );
      const event = await big.closed;
      assert.equal(event.code, 1009);
    });

    await t.step("the counters saw it all", async () => {
      const { messages, relayFailures } = await stats(server);
      assert.equal(messages.in.invalid, 5);
      assert.equal(messages.in.binary, 1);
      assert.equal(messages.in.oversized, 1);
      assert.equal(relayFailures, 1);
      good.send(announce(INFO_HASH, id20("-PM0203-good")));
      assert.equal(
        (await good.next((f) => "interval" in f)).incomplete,
        2,
        "still serving",
      );
    });
  } finally {
    await good.close();
    await peer.close();
    await server.close();
  }
});

Deno.test("two peers connecting to each other are not crossed by a second offer", async () => {
  const server = await startTestServer({ buildDir: false });
  const sockets: TestSocket[] = [];
  const join = async (peerId: string, extra: Frame = {}) => {
    const socket = await TestSocket.open(wsUrl(server));
    sockets.push(socket);
    socket.send(announce(INFO_HASH, peerId, extra));
    await socket.next((f) => "interval" in f);
    return socket;
  };
  const offered = (socket: TestSocket, offerId: string) =>
    socket.next((f) => f.offer_id === offerId, 500).then(
      () => true,
      () => false,
    );
  try {
    const alice = await join(id20("alice"));
    // Bob's offer reaches alice, the only other peer: the two are connecting.
    const bob = await join(id20("bob"), { numwant: 1, offers: offers(1, "b") });
    assert.equal(await offered(alice, id20("b0-")), true);
    // Alice announces again before that connection is up (a TURN relay
    // takes seconds): her offer would cross bob's, and p2p-media-loader
    // keeps on each side the connection that opened first, so both can
    // close. It is held back.
    alice.send(
      announce(INFO_HASH, id20("alice"), {
        numwant: 1,
        offers: offers(1, "a"),
      }),
    );
    await alice.next((f) => "interval" in f);
    assert.equal(await offered(bob, id20("a0-")), false);
    // Bob trying a second connection to alice is held too.
    bob.send(
      announce(INFO_HASH, id20("bob"), { numwant: 1, offers: offers(1, "c") }),
    );
    assert.equal(await offered(alice, id20("c0-")), false);
    // A newcomer is offered to as ever, and offers its way to both.
    const carol = await join(id20("carol"), {
      numwant: 2,
      offers: offers(2, "k"),
    });
    const [toAlice, toBob] = await Promise.all([
      offered(alice, id20("k0-")).then((a) => a || offered(alice, id20("k1-"))),
      offered(bob, id20("k0-")).then((b) => b || offered(bob, id20("k1-"))),
    ]);
    assert.deepEqual([toAlice, toBob], [true, true]);
    const { offersHeld, messages } = await stats(server);
    assert.equal(offersHeld, 2);
    assert.equal(messages.out.offer, 3);
    await carol.close();
  } finally {
    for (const socket of sockets) await socket.close();
    await server.close();
  }
});

Deno.test("in a small swarm of neighbours a re-announce reaches every other peer", async () => {
  const server = await startTestServer({ buildDir: false });
  const sockets: TestSocket[] = [];
  try {
    // Five viewers on one /24 (here all 127.0.0.1): all near each other.
    for (let i = 0; i < 5; i++) {
      const socket = await TestSocket.open(wsUrl(server));
      sockets.push(socket);
      socket.send(announce(INFO_HASH, id20(`n${i}-`)));
      await socket.next((f) => "interval" in f);
    }
    const [first, ...others] = sockets as [TestSocket, ...TestSocket[]];
    first.send(announce(INFO_HASH, id20("n0-"), { offers: offers(5, "r") }));
    await first.next((f) => "interval" in f);
    const reached = await Promise.all(
      others.map((socket) =>
        socket.next((f) => String(f.offer_id ?? "").startsWith("r"), 1000)
          .then(() => true, () => false)
      ),
    );
    assert.deepEqual(reached, [true, true, true, true]);
  } finally {
    for (const socket of sockets) await socket.close();
    await server.close();
  }
});
