/**
 * Micro-benchmarks of the tracker's parser (`deno bench`): the frames a
 * busy tracker parses most.
 * @module
 */
import { parseMessage } from "../tracker/protocol.ts";

const id = (prefix: string) => (prefix + "\u00e9".repeat(20)).slice(0, 20);
const sdp = "v=0\r\n" +
  "a=candidate:1 1 udp 2113937151 127.0.0.1 50000 typ host\r\n".repeat(12);

const announceWithOffers = JSON.stringify({
  action: "announce",
  info_hash: id("hash"),
  peer_id: id("-PM0203-a"),
  numwant: 5,
  uploaded: 0,
  downloaded: 0,
  offers: Array.from(
    { length: 5 },
    (_, i) => ({ offer: { type: "offer", sdp }, offer_id: id(`o${i}`) }),
  ),
});
const answer = JSON.stringify({
  action: "announce",
  info_hash: id("hash"),
  peer_id: id("-PM0203-b"),
  to_peer_id: id("-PM0203-a"),
  offer_id: id("o1"),
  answer: { type: "answer", sdp },
});
const scrape = JSON.stringify({
  action: "scrape",
  info_hash: [id("a"), id("b"), id("c")],
});

Deno.bench("parse announce with 5 offers (~4 KB)", {
  group: "parse",
  baseline: true,
}, () => {
  parseMessage(announceWithOffers);
});
Deno.bench("parse answer", { group: "parse" }, () => {
  parseMessage(answer);
});
Deno.bench("parse scrape of 3 swarms", { group: "parse" }, () => {
  parseMessage(scrape);
});
Deno.bench("JSON.parse alone, announce with 5 offers (the floor)", {
  group: "parse",
}, () => {
  JSON.parse(announceWithOffers);
});
