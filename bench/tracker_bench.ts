/**
 * Micro-benchmark of the tracker's hot path without sockets (`deno bench`):
 * one announce with 5 offers relayed in a swarm of 10, and the 5 answers.
 * Compare with the side-by-side CPU per exchange to see how much of it is
 * ours and how much is the WebSocket runtime.
 * @module
 */
import { Tracker } from "../tracker/tracker.ts";

const id = (prefix: string) => (prefix + "\u00e9".repeat(20)).slice(0, 20);
const sdp = "v=0\r\n" +
  "a=candidate:1 1 udp 2113937151 127.0.0.1 50000 typ host\r\n".repeat(12);
const tracker = new Tracker({
  // One peer offers the same nine again and again: the hold between two
  // peers already connecting would hold every offer after the first round.
  config: { messagesPerSecond: 1e9, messageBurst: 1e9, pairingHoldMs: 0 },
});
const relayed: string[] = [];
const peers = Array.from({ length: 10 }, (_, i) => {
  const connection = tracker.connect({
    send(text) {
      if (text.includes('"offer_id"') && text.includes('"offer"')) {
        relayed.push(`${i}\n${text}`);
      }
      return true;
    },
    close() {},
  });
  const peerId = id(`peer-${i}-`);
  tracker.receive(
    connection,
    JSON.stringify({
      action: "announce",
      info_hash: id("hash"),
      peer_id: peerId,
    }),
  );
  return { connection, peerId };
});
const announce = JSON.stringify({
  action: "announce",
  info_hash: id("hash"),
  peer_id: peers[0]!.peerId,
  numwant: 5,
  offers: Array.from(
    { length: 5 },
    (_, i) => ({ offer: { type: "offer", sdp }, offer_id: id(`o${i}`) }),
  ),
});

Deno.bench(
  "one announce with 5 offers and its 5 answers (= 5 exchanges), swarm of 10",
  () => {
    relayed.length = 0;
    tracker.receive(peers[0]!.connection, announce);
    if (relayed.length !== 5) {
      throw new Error(`Expected 5 offers relayed, got ${relayed.length}`);
    }
    for (const entry of relayed) {
      const [index, text] = entry.split("\n", 2) as [string, string];
      const offer = JSON.parse(text);
      const peer = peers[Number(index)]!;
      tracker.receive(
        peer.connection,
        JSON.stringify({
          action: "announce",
          info_hash: offer.info_hash,
          peer_id: peer.peerId,
          to_peer_id: offer.peer_id,
          offer_id: offer.offer_id,
          answer: { type: "answer", sdp },
        }),
      );
    }
  },
);
