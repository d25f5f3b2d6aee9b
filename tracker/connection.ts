/**
 * A client's connection as the tracker sees it: a transport that can send
 * text and close, its message budget, and what the server knew of it.
 * @module
 */
import type { PeerConnection } from "./swarm.ts";
import { type LocalityKeys, NO_LOCALITY } from "./locality.ts";
import type { TokenBucket } from "../utils/rate_limit.ts";

/** How the tracker reaches a client: one per WebSocket. */
export interface Transport {
  /** Send a text frame; return `false` (or throw) if it could not be sent. */
  send(text: string): boolean;
  /** Close the socket with a WebSocket close code. */
  close(code: number, reason: string): void;
}

/** WebSocket close codes the tracker uses. */
export const CloseCode = {
  /** The server is shutting down. */
  goingAway: 1001,
  /** Binary frames are not part of the protocol. */
  unsupportedData: 1003,
  /** A frame over the size limit. */
  messageTooBig: 1009,
  /** Rate limit exceeded, or a client too slow to read. */
  policyViolation: 1008,
} as const;

/** A client's connection, created by {@linkcode Tracker.connect}. */
export class Connection implements PeerConnection {
  static #nextId = 1;
  /** Unique per process. */
  readonly id: number = Connection.#nextId++;
  /** The channel the client watches (from `?channel=`), if it said. */
  readonly channel?: string;
  /** Its place under the per-address cap, given back when it closes. */
  readonly slot: AdmissionSlot;
  /** Where it sits on the network (never shown to anyone). */
  readonly locality: LocalityKeys;
  /** Its message budget. */
  readonly bucket: TokenBucket;
  /** Messages dropped in a row by the rate limit. */
  droppedInARow = 0;
  #transport: Transport;
  #open = true;

  /** Wrap a transport. */
  constructor(
    transport: Transport,
    bucket: TokenBucket,
    info: ConnectInfo = {},
  ) {
    this.#transport = transport;
    this.bucket = bucket;
    this.channel = info.channel;
    this.slot = info.slot ?? NO_SLOT;
    this.locality = info.locality ?? NO_LOCALITY;
  }

  /** Send a frame; `false` if the socket is closed or refused it. */
  send(text: string): boolean {
    if (!this.#open) return false;
    try {
      return this.#transport.send(text);
    } catch {
      return false;
    }
  }

  /** Close the socket. */
  close(code: number, reason: string): void {
    if (!this.#open) return;
    this.#open = false;
    try {
      this.#transport.close(code, reason);
    } catch {
      // already closing
    }
  }

  /** Mark closed without closing the transport (it closed itself). */
  markClosed(): void {
    this.#open = false;
  }
}

/** A place under the per-address connection cap, held from admission to close. */
export interface AdmissionSlot {
  /** The client's address (never shown to anyone). */
  readonly address?: string;
  /** Give the place back; only the first call counts. */
  release(): void;
}

/** The slot of a connection whose address is not known (nothing to give back). */
const NO_SLOT: AdmissionSlot = { release() {} };

/** What the server knows about a new connection. */
export interface ConnectInfo {
  /** The channel the client watches (`?channel=`). */
  channel?: string;
  /** The slot reserved for it at admission (`Tracker.reserve`). */
  slot?: AdmissionSlot;
  /** Its locality keys (`localityKeys`), computed at admission. */
  locality?: LocalityKeys;
}
