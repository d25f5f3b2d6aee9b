/**
 * The one way an offer or an answer reaches a peer whose socket is on this
 * instance, whoever relays it (the tracker itself, or another instance
 * through the cluster relay): send the frame, count it, and remember which
 * offers a peer was sent, since it may answer only those. An offer between
 * two peers that are already connecting to each other is held back (see
 * {@linkcode PAIRING_HOLD_MS}, the default of the tracker's `pairingHoldMs`).
 * @module
 */
import {
  notePartner,
  offerFrame,
  pairing,
  PAIRING_HOLD_MS,
  rememberOffer,
} from "./offers.ts";
import type { Offer } from "./protocol.ts";
import type { TrackerCounters } from "./stats.ts";
import type { OfferSource, Peer } from "./swarm.ts";

/** Delivers relayed frames to local peers and counts them. */
export class Delivery {
  #counters: TrackerCounters;
  #clock: () => number;
  #holdMs: number;

  /**
   * Deliveries counted in `counters`, offers stamped by `clock`; two peers
   * that exchanged an offer are not sent another either way for `holdMs`.
   */
  constructor(
    counters: TrackerCounters,
    clock: () => number,
    holdMs: number = PAIRING_HOLD_MS,
  ) {
    this.#counters = counters;
    this.#clock = clock;
    this.#holdMs = holdMs;
  }

  /**
   * Deliver an offer `frame` to `target` (undefined if it is gone); it may
   * then answer offer `offerId`, to `source` only. Held back, and counted,
   * when the two exchanged an offer within the hold (they are connecting
   * already). Returns whether it was sent.
   */
  offer(
    target: Peer | undefined,
    frame: string,
    offerId: string,
    source: Omit<OfferSource, "at">,
  ): boolean {
    const now = this.#clock();
    if (target && pairing(target, source.peerId, now, this.#holdMs)) {
      this.#counters.offersHeld++;
      return false;
    }
    if (!target?.connection.send(frame)) return this.failed();
    this.#counters.out.offer++;
    rememberOffer(target, offerId, { ...source, at: now });
    notePartner(target, source.peerId, now, this.#holdMs);
    if (source.peer) notePartner(source.peer, target.id, now, this.#holdMs);
    return true;
  }

  /** `from` (a peer of this instance) had an offer relayed to `toPeerId` on another instance. */
  relayedOffer(from: Peer, toPeerId: string): void {
    notePartner(from, toPeerId, this.#clock(), this.#holdMs);
  }

  /** Deliver an answer `frame` to `target` (undefined if it is gone). */
  answer(target: Peer | undefined, frame: string): boolean {
    if (!target?.connection.send(frame)) return this.failed();
    this.#counters.out.answer++;
    return true;
  }

  /** Offers of `from`, one to each of `targets` (peers of this instance). */
  offersTo(from: Peer, offers: readonly Offer[], targets: readonly Peer[]) {
    for (let i = 0; i < targets.length; i++) {
      const { offer, offerId } = offers[i]!;
      this.offer(targets[i], offerFrame(from, offer, offerId), offerId, {
        peerId: from.id,
        peer: from,
      });
    }
  }

  /** A relay whose recipient was gone or out of reach; always `false`. */
  failed(): false {
    this.#counters.relayFailures++;
    return false;
  }
}
