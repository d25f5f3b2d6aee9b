import assert from "node:assert/strict";
import { Delivery } from "../../tracker/delivery.ts";
import { createCounters } from "../../tracker/stats.ts";
import { Swarm } from "../../tracker/swarm.ts";
import { id20 } from "../helpers/ws_client.ts";

function peerIn(swarm: Swarm, name: string, open = true) {
  const sent: string[] = [];
  const peer = swarm.add(id20(name), {
    id: sent.length,
    send: (text) => open && sent.push(text) > 0,
  }, 0);
  return { peer, sent };
}

Deno.test("Delivery: the one path for offers and answers, counted once, offers remembered", () => {
  let now = 1000;
  const counters = createCounters();
  const delivery = new Delivery(counters, () => now);
  const swarm = new Swarm(id20("h"), 0);
  const alice = peerIn(swarm, "alice");
  const bob = peerIn(swarm, "bob");
  const gone = peerIn(swarm, "gone", false);

  assert.equal(
    delivery.offer(bob.peer, "{offer}", id20("o1"), {
      peerId: alice.peer.id,
      peer: alice.peer,
    }),
    true,
  );
  assert.deepEqual(bob.sent, ["{offer}"]);
  assert.deepEqual(bob.peer.offers?.get(id20("o1")), {
    peerId: alice.peer.id,
    peer: alice.peer,
    at: 1000,
  }, "bob may answer o1, to alice only");
  now = 2000;
  assert.equal(
    delivery.offer(bob.peer, "{offer 2}", id20("o2"), {
      peerId: id20("far"),
      instance: "other",
    }),
    true,
    "from another instance",
  );
  assert.equal(bob.peer.offers?.get(id20("o2"))?.instance, "other");
  assert.equal(
    delivery.offer(gone.peer, "{x}", id20("o3"), { peerId: alice.peer.id }),
    false,
  );
  assert.equal(
    delivery.offer(undefined, "{x}", id20("o4"), { peerId: alice.peer.id }),
    false,
  );
  assert.equal(delivery.answer(alice.peer, "{answer}"), true);
  assert.equal(delivery.answer(undefined, "{answer}"), false);
  assert.deepEqual(
    [counters.out.offer, counters.out.answer, counters.relayFailures],
    [2, 1, 3],
  );
  delivery.offersTo(alice.peer, [
    { offerId: id20("o5"), offer: { type: "offer", sdp: "v=0" } },
  ], [bob.peer]);
  assert.equal(JSON.parse(bob.sent.at(-1)!).offer_id, id20("o5"));
});
