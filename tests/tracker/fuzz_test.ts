import assert from "node:assert/strict";
import { startTestServer } from "../helpers/server.ts";
import { rawWebSocket } from "../helpers/raw_ws.ts";
import { fakeSdp, type Frame, id20, TestSocket } from "../helpers/ws_client.ts";

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GOOD_HASH = "GoodSwarm0123456789x";
const ALICE = id20("-PM0203-alice");
const BOB = id20("-PM0203-bob");

/** Frame generators: valid-looking messages, then broken in every way. */
function makeFuzzer(random: () => number) {
  const pick = <T>(items: readonly T[]): T =>
    items[Math.floor(random() * items.length)]!;
  const int = (max: number) => Math.floor(random() * max);
  const randomString = (length: number) =>
    Array.from(
      { length },
      () =>
        String.fromCharCode(
          pick([int(128), int(256), int(0x10000), 0xd800 + int(1024)]),
        ),
    ).join("");
  const randomJson = (depth = 0): unknown =>
    depth > 3 ? null : pick([
      () => int(1000) - 500,
      () => pick([1e308, -1e308, Number.MAX_SAFE_INTEGER * 4, -0, 0.5]),
      () => randomString(int(30)),
      () => random() < 0.5,
      () => null,
      () => Array.from({ length: int(4) }, () => randomJson(depth + 1)),
      () => ({ [randomString(3)]: randomJson(depth + 1) }),
    ])();
  const validTemplates = (): Frame[] => {
    const hash = id20(`fz${int(50)}-`);
    const peer = id20(`fz-peer-${int(1000)}-`);
    return [
      {
        action: "announce",
        info_hash: hash,
        peer_id: peer,
        numwant: int(20),
        event: pick(["started", "update", "completed"]),
        offers: [{
          offer_id: id20(`o${int(99)}`),
          offer: { type: "offer", sdp: fakeSdp("offer", 300) },
        }],
      },
      {
        action: "announce",
        info_hash: hash,
        peer_id: peer,
        to_peer_id: id20(`fz-peer-${int(1000)}-`),
        offer_id: id20("x"),
        answer: { type: "answer", sdp: "v=0" },
      },
      {
        action: "scrape",
        info_hash: Array.from({ length: int(5) }, () => id20(`fz${int(50)}-`)),
      },
      { type: "announce", peerId: `s${int(100)}`, infoHash: `room-${int(5)}` },
      {
        type: pick(["offer", "answer", "ice"]),
        from: `s${int(100)}`,
        to: `s${int(100)}`,
        data: randomJson(),
      },
      // Attacks on the good swarm: take a peer_id, stop someone else, answer offers never sent.
      { action: "announce", info_hash: GOOD_HASH, peer_id: pick([ALICE, BOB]) },
      {
        action: "announce",
        info_hash: GOOD_HASH,
        peer_id: pick([ALICE, BOB]),
        event: "stopped",
      },
      {
        action: "announce",
        info_hash: GOOD_HASH,
        peer_id: peer,
        to_peer_id: pick([ALICE, BOB]),
        offer_id: id20(`o${int(99)}`),
        answer: { type: "answer", sdp: "v=0" },
      },
    ];
  };
  const mutate = (frame: Frame): string => {
    const copy: Record<string, unknown> = structuredClone(frame);
    const keys = Object.keys(copy);
    switch (int(9)) {
      case 0: // delete fields
        for (const key of keys) if (random() < 0.4) delete copy[key];
        return JSON.stringify(copy);
      case 1: // wrong types
        copy[pick(keys)] = randomJson();
        return JSON.stringify(copy);
      case 2: // huge numbers, written as raw JSON so they overflow
        return JSON.stringify(copy).replace(/"numwant":\d+/, '"numwant":1e999')
          .replace(/}$/, ',"left":-1e400}');
      case 3: // deep nesting
        return `{"action":"announce","info_hash":${"[".repeat(3000)}${
          "]".repeat(3000)
        }}`;
      case 4: // truncated
        return JSON.stringify(copy).slice(0, int(60));
      case 5: // character flips
        return JSON.stringify(copy).split("").map((
          c,
        ) => (random() < 0.05 ? randomString(1) : c)).join("");
      case 6: // not JSON at all
        return randomString(int(200));
      case 7: // unknown actions and types
        return JSON.stringify({
          ...copy,
          action: randomString(5),
          type: randomJson(),
        });
      default: // untouched: valid traffic mixed in
        return JSON.stringify(copy);
    }
  };
  // A well-formed join of the good swarm is legitimate, not hostile: it may rightly
  // receive the good peers' offers, so the fuzzer never sends one.
  const joinsGoodSwarm = (text: string) => {
    try {
      const frame = JSON.parse(text);
      return frame?.action === "announce" && frame.info_hash === GOOD_HASH &&
        frame.answer === undefined &&
        frame.event !== "stopped" && frame.peer_id !== ALICE &&
        frame.peer_id !== BOB;
    } catch {
      return false;
    }
  };
  const next = (): string => {
    const text = mutate(pick(validTemplates()));
    return joinsGoodSwarm(text) ? next() : text;
  };
  return { next, int, pick };
}

Deno.test("fuzz: thousands of hostile frames from many sockets never disturb two good peers", async () => {
  const seed = Number(
    Deno.env.get("FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31),
  );
  console.log(`fuzz seed: ${seed} (replay with FUZZ_SEED=${seed})`);
  const random = prng(seed);
  const fuzzer = makeFuzzer(random);
  const server = await startTestServer({
    buildDir: false,
    tracker: {
      messagesPerSecond: 100_000,
      messageBurst: 100_000,
      maxConnectionsPerIp: 1000,
      pairingHoldMs: 0, // alice offers bob sixty times in a row
    },
  });
  const url = server.url.replace("http", "ws") + "/tracker/ws";
  const alice = await TestSocket.open(url);
  const bob = await TestSocket.open(url);
  try {
    alice.send({ action: "announce", info_hash: GOOD_HASH, peer_id: ALICE });
    bob.send({ action: "announce", info_hash: GOOD_HASH, peer_id: BOB });
    await alice.next();
    await bob.next();
    // Two good peers of the simple dialect, in a room the fuzzer never names.
    const carol = await TestSocket.open(url);
    const dave = await TestSocket.open(url);
    carol.send({
      type: "announce",
      peerId: "good-carol",
      infoHash: "good-room",
    });
    await carol.next();
    dave.send({ type: "announce", peerId: "good-dave", infoHash: "good-room" });
    await dave.next();

    // Hostile traffic: 24 sockets, 250 frames each, reopened when the server closes them.
    let sent = 0;
    const hostile = Array.from({ length: 24 }, async (_, index) => {
      let socket = await TestSocket.open(url);
      for (let i = 0; i < 250; i++) {
        if (!socket.open) socket = await TestSocket.open(url);
        const roll = fuzzer.int(100);
        if (roll < 2) {
          socket.send(
            crypto.getRandomValues(new Uint8Array(fuzzer.int(64) + 1)),
          ); // binary
        } else socket.send(fuzzer.next());
        sent++;
        if (i % 25 === 0) {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }
      await socket.drain(10);
      await socket.close();
      return index;
    });
    // Invalid UTF-8 in a text frame, sent by hand: the server must close that socket, nothing else.
    const raw = await rawWebSocket(server.port, "/tracker/ws");
    const bad = new Uint8Array([
      0x81,
      0x84,
      0,
      0,
      0,
      0,
      0xc3,
      0x28,
      0xff,
      0xfe,
    ]);
    await raw.write(bad);

    // Meanwhile the good peers keep signalling: every offer and every answer must arrive.
    const exchanges = 60;
    for (let i = 0; i < exchanges; i++) {
      const offerId = id20(`good-offer-${i}-`);
      alice.send({
        action: "announce",
        info_hash: GOOD_HASH,
        peer_id: ALICE,
        numwant: 1,
        offers: [{
          offer_id: offerId,
          offer: { type: "offer", sdp: `v=0 ${i}` },
        }],
      });
      const offer = await bob.next((f) => f.offer_id === offerId, 5000);
      assert.equal(offer.peer_id, ALICE);
      bob.send({
        action: "announce",
        info_hash: GOOD_HASH,
        peer_id: BOB,
        to_peer_id: ALICE,
        offer_id: offerId,
        answer: { type: "answer", sdp: `v=0 answer ${i}` },
      });
      const answer = await alice.next(
        (f) => f.offer_id === offerId && "answer" in f,
        5000,
      );
      assert.deepEqual(answer.answer, {
        type: "answer",
        sdp: `v=0 answer ${i}`,
      });
    }
    // And the simple dialect's good peers still relay to each other.
    for (let i = 0; i < 20; i++) {
      carol.send({
        type: "offer",
        from: "good-carol",
        to: "good-dave",
        data: { i },
      });
      const relayed = await dave.next(
        (f) => f.type === "offer" && (f.data as { i: number }).i === i,
        5000,
      );
      assert.equal(relayed.from, "good-carol");
    }
    await Promise.all(hostile);
    raw.close();
    await carol.close();
    await dave.close();

    const health = await (await fetch(`${server.url}/health`)).json();
    assert.equal(health.status, "ok", "the process is up and serving");
    const stats = await (await fetch(`${server.url}/tracker/stats`)).json();
    console.log(
      `fuzz: ${sent} hostile frames, ${stats.messages.in.invalid} invalid, ${stats.messages.in.binary} binary, ` +
        `${stats.refused.peerIdTaken} id hijacks refused, ${stats.relayFailures} undeliverable relays`,
    );
    assert.ok(sent >= 6000);
    assert.ok(stats.messages.in.invalid > 1000);
    // Forged answers come from sockets outside the good swarm: refused before any offer lookup.
    assert.ok(stats.refused.peerIdTaken > 0 && stats.relayFailures > 0);
    const good = (await (await fetch(
      `${server.url}/tracker/peers/${encodeURIComponent(GOOD_HASH)}`,
    )).json())
      .peers.map((p: Frame) => p.peerId);
    assert.equal(good.length, 2, "nobody stopped or replaced the good peers");
  } finally {
    await alice.close();
    await bob.close();
    await server.close();
  }
});

Deno.test("fuzz: hostile input to every HTTP route that takes input never yields a 500", async () => {
  const seed = Number(
    Deno.env.get("FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31),
  );
  console.log(`fuzz (http) seed: ${seed} (replay with FUZZ_SEED=${seed})`);
  const random = prng(seed);
  const { int, pick } = makeFuzzer(random);
  const server = await startTestServer({ buildDir: false });
  const junk = () =>
    pick([
      () => "",
      () => "%00%ff%c3%28",
      () => "..%2f..%2fetc%2fpasswd",
      () => "a".repeat(int(5000)),
      () =>
        encodeURIComponent(
          String.fromCharCode(
            ...Array.from({ length: int(40) }, () => int(0xd800)),
          ),
        ),
      () => String(int(1e9) - 5e8),
      () => "1e999",
      () => "demo",
      () => "<script>",
      () => "\\evil.example",
    ])();
  const html = await (await fetch(`${server.url}/watch/demo`)).text();
  const token = /"sessionToken":"(v1\.[^"]+)"/.exec(html)![1]!;
  const reportBody = () =>
    pick([
      () => junk(),
      () =>
        JSON.stringify({
          token: pick([token, junk()]),
          channel: pick(["demo", junk()]),
          p2pStatus: pick(["active", junk()]),
          totals: {
            httpBytes: pick([int(1e6), -1, null, junk()]),
            p2pBytes: pick([0, null, 1e300]),
            uploadedBytes: 0,
            stalls: pick([0, -3, 1e9]),
          },
          peers: pick([1, 1e12]),
          ttffMs: pick([null, 700, -1, junk()]),
          final: pick([true, false, junk()]),
        }),
      () => "[".repeat(3000) + "]".repeat(3000),
      () =>
        JSON.stringify({ token, channel: "demo", totals: "x".repeat(3000) }),
    ])();
  const requests: Array<() => Promise<Response>> = [
    () =>
      fetch(`${server.url}/api/stats/report`, {
        method: "POST",
        body: reportBody(),
        headers: {
          "content-type": pick([
            "text/plain",
            "application/json",
            junk().slice(0, 50) || "x",
          ]),
        },
      }),
    () =>
      fetch(`${server.url}/api/stats/session?channel=${junk()}`, {
        method: "POST",
        body: junk(),
      }),
    () =>
      fetch(
        `${server.url}/tracker/stats?swarms=1&history=${
          pick(["1", junk()])
        }&limit=${junk()}&cursor=${junk()}`,
      ),
    () =>
      fetch(
        `${server.url}/tracker/peers/${
          junk() || "x"
        }?limit=${junk()}&cursor=${junk()}`,
      ),
    () => fetch(`${server.url}/tracker/channels/${junk() || "x"}`),
    () => fetch(`${server.url}/watch/${junk() || "x"}?lang=${junk()}`),
    () => fetch(`${server.url}/?q=${junk()}&category=${junk()}&lang=${junk()}`),
    () => fetch(`${server.url}/live/${junk() || "x"}/${junk() || "x"}.m3u8`),
    () => fetch(`${server.url}/dashboard?x=${junk()}`),
    () =>
      fetch(`${server.url}/api/dashboard`, {
        method: pick(["GET", "POST", "DELETE"]),
      }),
  ];
  try {
    const statuses = new Map<number, number>();
    for (let i = 0; i < 600; i++) {
      const response = await pick(requests)().catch(() => undefined);
      if (!response) continue; // a URL fetch itself refuses to send
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      await response.body?.cancel();
      assert.ok(response.status < 500, `request ${i} got ${response.status}`);
    }
    console.log(
      `fuzz (http): statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    const health = await (await fetch(`${server.url}/health`)).json();
    assert.equal(health.status, "ok");
  } finally {
    await server.close();
  }
});
