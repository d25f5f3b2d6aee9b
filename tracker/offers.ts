/**
 * Offers in flight: the frame that carries one to its recipient, the
 * record of which offers a peer was sent (it may answer only those, and
 * only to their sender), and which peers it exchanged offers with lately
 * (two peers already connecting are not offered to each other again).
 * @module
 */
import type { Offer } from "./protocol.ts";
import { setNewest } from "../utils/lru.ts";
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
  setNewest(target.offers ??= new Map(), offerId, source, MAX_TRACKED_OFFERS);
}

/**
 * How long two peers that exchanged an offer are left to connect before
 * either is relayed an offer from the other again (ms). p2p-media-loader
 * keeps the first of two connections to one peer to open and closes the
 * other, so two offers crossing (each peer's announce reaching the other
 * while the first connection is being set up) can leave each side with a
 * different one and both closed: seen in the network lab, a late joiner
 * cut off from its best source until the next announce, 20 s later. Set-up
 * through a TURN relay took 3–5 s there.
 */
export const PAIRING_HOLD_MS = 15_000;
/** Most partners a peer keeps track of (oldest dropped first). */
export const MAX_TRACKED_PARTNERS = 32;

/**
 * Note that `peer` and the peer `partnerId` exchanged an offer at `at`;
 * partners older than `holdMs`, and the oldest past
 * {@linkcode MAX_TRACKED_PARTNERS}, are forgotten.
 */
export function notePartner(
  peer: Peer,
  partnerId: string,
  at: number,
  holdMs: number = PAIRING_HOLD_MS,
): void {
  const partners = peer.partners ??= new Map();
  // Oldest first: a renewed partner moves to the end.
  for (const [id, since] of partners) {
    if (at - since < holdMs) break;
    partners.delete(id);
  }
  setNewest(partners, partnerId, at, MAX_TRACKED_PARTNERS);
}

/**
 * Whether `peer` exchanged an offer with the peer `partnerId`, either way,
 * less than `holdMs` ({@linkcode PAIRING_HOLD_MS} by default) before `now`.
 */
export function pairing(
  peer: Peer,
  partnerId: string,
  now: number,
  holdMs: number = PAIRING_HOLD_MS,
): boolean {
  const at = peer.partners?.get(partnerId);
  return at !== undefined && now - at < holdMs;
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
