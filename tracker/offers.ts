/**
 * Offers in flight: the frame that carries one to its recipient, and the
 * record of which offers a peer was sent (it may answer only those, and
 * only to their sender).
 * @module
 */
import type { Offer } from "./protocol.ts";
import type { OfferSource, Peer } from "./swarm.ts";

/** Most offers a peer keeps track of having been sent (oldest dropped first). */
export const MAX_TRACKED_OFFERS = 64;
/** An answer must come within this long of its offer (bittorrent-tracker gives up after 50 s). */
export const OFFER_TTL_MS = 60_000;

/** Note that `target` was sent offer `offerId` from `source`: only that offer may be answered. */
export function rememberOffer(
  target: Peer,
  offerId: string,
  source: OfferSource,
): void {
  const offers = target.offers ??= new Map();
  offers.delete(offerId);
  offers.set(offerId, source);
  if (offers.size > MAX_TRACKED_OFFERS) {
    offers.delete(offers.keys().next().value!);
  }
}

/** The frame that carries an offer to its recipient. */
export function offerFrame(
  from: Peer,
  offer: Offer["offer"],
  offerId: string,
): string {
  return JSON.stringify({
    action: "announce",
    offer,
    offer_id: offerId,
    peer_id: from.id,
    info_hash: from.swarm.infoHash,
  });
}
