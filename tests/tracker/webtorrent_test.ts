import assert from "node:assert/strict";
import { announce, answer, HASH, offer, setup } from "../helpers/tracker.ts";
import { PAIRING_HOLD_MS } from "../../tracker/offers.ts";
import { id20 } from "../helpers/ws_client.ts";

Deno.test("a peer_id belongs to the socket that announced it first", () => {
  const { tracker, open } = setup();
  const alice = open();
  const mallory = open();
  alice.send(announce(id20("alice")));
  mallory.send(announce(id20("alice")));
  assert.match(
    String(mallory.last()?.["failure reason"]),
    /peer_id .* is in use by another connection/,
  );
  mallory.send(answer(id20("alice"), id20("bob"), id20("o1")));
  assert.match(
    String(mallory.last()?.["failure reason"]),
    /Announce before answering/,
  );
  mallory.send(announce(id20("alice"), { event: "stopped" }));
  assert.equal(
    tracker.webtorrent.swarms.get(HASH)?.get(id20("alice"))?.connection,
    alice.connection,
  );
  assert.equal(tracker.counters.refused.peerIdTaken, 1);
});

Deno.test("answers reach only the peer whose offer was actually delivered", async (t) => {
  const { clock, tracker, open } = setup();
  const alice = open();
  const bob = open();
  const carol = open();
  alice.send(announce(id20("alice")));
  bob.send(announce(id20("bob")));
  carol.send(
    announce(id20("carol"), { offers: offer(id20("o-carol")), numwant: 1 }),
  );
  // random() = 0.5 picks one of alice/bob for carol's offer; find who got it.
  const receiver = [alice, bob].find((c) =>
    c.frames.some((f) => f.offer_id === id20("o-carol"))
  )!;
  const other = receiver === alice ? bob : alice;
  const receiverId = receiver === alice ? id20("alice") : id20("bob");
  const otherId = receiver === alice ? id20("bob") : id20("alice");
  const carolFrames = () => carol.frames.filter((f) => "answer" in f).length;

  await t.step("a peer that was not sent the offer cannot answer it", () => {
    other.send(answer(otherId, id20("carol"), id20("o-carol")));
    assert.match(
      String(other.last()?.["failure reason"]),
      /Could not find the offer/,
    );
    assert.equal(carolFrames(), 0);
  });
  await t.step(
    "the receiver cannot answer a different offer id or to someone else",
    () => {
      receiver.send(answer(receiverId, id20("carol"), id20("o-fake")));
      receiver.send(answer(receiverId, otherId, id20("o-carol")));
      assert.equal(carolFrames(), 0);
      assert.equal(other.frames.filter((f) => "answer" in f).length, 0);
    },
  );
  await t.step("the real answer goes through, once", () => {
    receiver.send(answer(receiverId, id20("carol"), id20("o-carol")));
    assert.equal(carolFrames(), 1);
    receiver.send(answer(receiverId, id20("carol"), id20("o-carol")));
    assert.equal(carolFrames(), 1, "an offer is answered once");
  });
  await t.step("an answer after the offer expired is refused", () => {
    clock.tick(PAIRING_HOLD_MS); // carol and the receiver may be offered to each other again
    carol.send(
      announce(id20("carol"), { offers: offer(id20("o-2")), numwant: 1 }),
    );
    const late = [alice, bob].find((c) =>
      c.frames.some((f) => f.offer_id === id20("o-2"))
    )!;
    clock.tick(61_000);
    late.send(
      answer(
        late === alice ? id20("alice") : id20("bob"),
        id20("carol"),
        id20("o-2"),
      ),
    );
    assert.match(String(late.last()?.["failure reason"]), /may have expired/);
  });
  assert.equal(tracker.counters.refused.unknownOffer, 5);
});
