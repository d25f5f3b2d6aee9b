/**
 * What every parser of the tracker's wire shares: the error a bad frame
 * becomes (its text is safe to send back) and the limits applied while
 * parsing.
 * @module
 */

/** A frame that is not a valid message; the text is safe to send back. */
export class ProtocolError extends Error {
  /** The info_hash of the bad message, when it had a valid one. */
  readonly infoHash?: string;
  /** The WebTorrent action of the bad message, when known. */
  readonly action?: "announce" | "scrape";
  /** The bad message speaks the simple API: answer `{"type":"error"}`. */
  readonly simple: boolean;

  /** An error for a frame that cannot be served. */
  constructor(
    message: string,
    context: {
      infoHash?: string;
      action?: "announce" | "scrape";
      simple?: boolean;
    } = {},
  ) {
    super(message);
    this.name = "ProtocolError";
    this.infoHash = context.infoHash;
    this.action = context.action;
    this.simple = context.simple ?? false;
  }
}

/** Limits applied while parsing. */
export interface ParseLimits {
  /** Largest accepted SDP, in characters. */
  maxSdpLength: number;
  /** Most offers kept from one announce (extra ones are ignored). */
  maxOffers: number;
  /** Most info_hashes in one scrape. */
  maxScrape: number;
}

/** A parsed JSON object, its fields not yet checked. */
export type Json = Record<string, unknown>;
