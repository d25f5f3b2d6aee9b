import assert from "node:assert/strict";
import { Delivery } from "../../tracker/delivery.ts";
import {
  MAX_TRACKED_PARTNERS,
  notePartner,
  PAIRING_HOLD_MS,
} from "../../tracker/offers.ts";
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

/** A delivery at 1000 ms on `clock`, and alice and bob in a swarm. */
function setup() {
  const clock = { now: 1000 };
  const counters = createCounters();
  const delivery = new Delivery(counters, () => clock.now);
  const swarm = new Swarm(id20("h"), 0);
  return {
    clock,
    counters,
    delivery,
    swarm,
    alice: peerIn(swarm, "alice"),
    bob: peerIn(swarm, "bob"),
  };
}

Deno.test("Delivery: the one path for offers and answers, counted once, offers remembered", () => {
  const { clock, counters, delivery, swarm, alice, bob } = setup();
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
  clock.now = 2000;
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
  assert.equal(counters.offersHeld, 0);
  clock.now = 1000 + PAIRING_HOLD_MS;
  delivery.offersTo(alice.peer, [
    { offerId: id20("o5"), offer: { type: "offer", sdp: "v=0" } },
  ], [bob.peer]);
  assert.equal(JSON.parse(bob.sent.at(-1)!).offer_id, id20("o5"));
});

Deno.test("Delivery: two peers already connecting are not sent each other's offers until the hold ends", () => {
  const { clock, counters, delivery, alice, bob } = setup();
  const from = (peer: typeof alice.peer) => ({ peerId: peer.id, peer });

  assert.equal(
    delivery.offer(bob.peer, "{a1}", id20("a1"), from(alice.peer)),
    true,
  );
  clock.now = 1500;
  assert.equal(
    delivery.offer(alice.peer, "{b1}", id20("b1"), from(bob.peer)),
    false,
    "crossing: bob's announce reaches alice while alice's offer is with bob",
  );
  assert.equal(
    delivery.offer(bob.peer, "{a2}", id20("a2"), from(alice.peer)),
    false,
    "repeated: a second connection to the same peer",
  );
  assert.deepEqual([alice.sent, bob.sent], [[], ["{a1}"]]);
  assert.equal(alice.peer.offers, undefined, "alice may not answer b1");
  assert.deepEqual(
    [counters.offersHeld, counters.out.offer, counters.relayFailures],
    [2, 1, 0],
    "held, not failed",
  );

  clock.now = 1000 + PAIRING_HOLD_MS - 1;
  assert.equal(
    delivery.offer(alice.peer, "{b2}", id20("b2"), from(bob.peer)),
    false,
  );
  clock.now = 1000 + PAIRING_HOLD_MS;
  assert.equal(
    delivery.offer(alice.peer, "{b3}", id20("b3"), from(bob.peer)),
    true,
    "after the hold they may try again",
  );

  // An offer relayed to another instance counts too, and a held offer from there.
  delivery.relayedOffer(alice.peer, id20("far"));
  assert.equal(
    delivery.offer(alice.peer, "{f1}", id20("f1"), {
      peerId: id20("far"),
      instance: "other",
    }),
    false,
  );
  assert.equal(counters.offersHeld, 4);

  // A configured hold of 0 holds nothing.
  const noHold = new Delivery(createCounters(), () => clock.now, 0);
  assert.equal(
    noHold.offer(bob.peer, "{a3}", id20("a3"), from(alice.peer)),
    true,
  );
  assert.equal(
    noHold.offer(bob.peer, "{a4}", id20("a4"), from(alice.peer)),
    true,
  );
});

Deno.test("Delivery: a peer keeps track of its latest partners only", () => {
  const swarm = new Swarm(id20("h"), 0);
  const { peer } = peerIn(swarm, "busy");
  for (let i = 0; i < MAX_TRACKED_PARTNERS + 8; i++) {
    notePartner(peer, id20(`p${i}`), i);
  }
  notePartner(peer, id20("p8"), 100); // renewed: now the newest
  assert.equal(peer.partners?.size, MAX_TRACKED_PARTNERS);
  assert.equal(peer.partners?.has(id20("p7")), false, "the oldest went first");
  assert.equal([...peer.partners!.keys()].at(-1), id20("p8"));
  // Past the hold they are forgotten as the next one comes: memory follows
  // the peers it is connecting to now, not every peer it ever met.
  notePartner(peer, id20("later"), 100 + PAIRING_HOLD_MS);
  assert.deepEqual([...peer.partners!.keys()], [id20("later")]);
  notePartner(peer, id20("next"), 100 + PAIRING_HOLD_MS, 0);
  assert.deepEqual([...peer.partners!.keys()], [id20("next")], "hold 0");
});
