/**
 * The tracker's wire protocol: every incoming text frame is parsed into one
 * typed message or a {@linkcode ProtocolError} with a message fit for the
 * client's `failure reason`. Two dialects share the socket:
 *
 * - WebTorrent (what p2p-media-loader and every WebTorrent client speak):
 *   `{"action":"announce"|"scrape", "info_hash", "peer_id", …}`.
 * - The simple RedFlix signaling API: `{"type":"announce"|"offer"|"answer"|"ice", …}`.
 * @module
 */
import { DEFAULT_TRACKER_CONFIG } from "./config.ts";
import {
  type Json,
  type ParseLimits,
  ProtocolError,
} from "./protocol_error.ts";
import {
  parseSimple,
  type SimpleAnnounceMessage,
  type SimpleRelayMessage,
} from "./simple_protocol.ts";

export { type ParseLimits, ProtocolError };
export type { SimpleAnnounceMessage, SimpleRelayMessage };

/** A WebRTC session description as browsers send it. */
export interface SessionDescription {
  /** `offer` or `answer`. */
  type: "offer" | "answer";
  /** The SDP text. */
  sdp: string;
}

/** One offer of an announce, to be relayed to one random peer. */
export interface Offer {
  /** 20-character binary string the answer will refer to. */
  offerId: string;
  /** The offer itself. */
  offer: SessionDescription;
}

/** The `event` of an announce. */
export type AnnounceEvent = "started" | "update" | "completed" | "stopped";

/** WebTorrent announce: join or refresh a swarm, optionally with offers. */
export interface AnnounceMessage {
  /** Discriminant. */
  kind: "announce";
  /** The swarm. */
  infoHash: string;
  /** The announcing peer. */
  peerId: string;
  /** Life-cycle event, if any. */
  event?: AnnounceEvent;
  /** How many peers the client wants offers sent to. */
  numwant?: number;
  /** Bytes left to download; `0` means a seeder. */
  left?: number;
  /** Offers to relay, one per random peer. */
  offers: Offer[];
}

/** WebTorrent answer to an offer, relayed to the offering peer. */
export interface AnswerMessage {
  /** Discriminant. */
  kind: "answer";
  /** The swarm. */
  infoHash: string;
  /** The answering peer. */
  peerId: string;
  /** The peer that made the offer. */
  toPeerId: string;
  /** The offer being answered. */
  offerId: string;
  /** The answer itself. */
  answer: SessionDescription;
}

/** WebTorrent scrape: counts for some swarms (or all, when empty). */
export interface ScrapeMessage {
  /** Discriminant. */
  kind: "scrape";
  /** Requested swarms; empty means all. */
  infoHashes: string[];
}

/** Any message a client can send. */
export type TrackerMessage =
  | AnnounceMessage
  | AnswerMessage
  | ScrapeMessage
  | SimpleAnnounceMessage
  | SimpleRelayMessage;

/** Whether `value` is a 20-character binary string (each code unit < 256). */
export function isBinaryId(value: unknown): value is string {
  if (typeof value !== "string" || value.length !== 20) return false;
  for (let i = 0; i < 20; i++) if (value.charCodeAt(i) > 255) return false;
  return true;
}

function binaryId(
  json: Json,
  field: string,
  context: ConstructorParameters<typeof ProtocolError>[1],
): string {
  const value = json[field];
  if (isBinaryId(value)) return value;
  if (value === undefined) throw new ProtocolError(`Missing ${field}`, context);
  if (typeof value !== "string") {
    throw new ProtocolError(
      `Invalid ${field}: expected a string, got ${describeType(value)}`,
      context,
    );
  }
  if (value.length !== 20) {
    throw new ProtocolError(
      `Invalid ${field}: expected 20 characters, got ${value.length}`,
      context,
    );
  }
  throw new ProtocolError(
    `Invalid ${field}: characters must be below U+0100`,
    context,
  );
}

function describeType(value: unknown): string {
  return value === null
    ? "null"
    : Array.isArray(value)
    ? "array"
    : typeof value;
}

function optionalCount(
  json: Json,
  field: string,
  context: ConstructorParameters<typeof ProtocolError>[1],
) {
  const value = json[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ProtocolError(
      `Invalid ${field}: expected a non-negative number`,
      context,
    );
  }
  return value;
}

function description(
  value: unknown,
  type: "offer" | "answer",
  field: string,
  limits: ParseLimits,
  context: ConstructorParameters<typeof ProtocolError>[1],
): SessionDescription {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProtocolError(`Invalid ${field}: expected an object`, context);
  }
  const { type: actual, sdp } = value as Json;
  if (actual !== type) {
    throw new ProtocolError(
      `Invalid ${field}.type: expected "${type}"`,
      context,
    );
  }
  if (typeof sdp !== "string" || sdp.length === 0) {
    throw new ProtocolError(
      `Invalid ${field}.sdp: expected a non-empty string`,
      context,
    );
  }
  if (sdp.length > limits.maxSdpLength) {
    throw new ProtocolError(
      `Invalid ${field}.sdp: ${sdp.length} characters, at most ${limits.maxSdpLength}`,
      context,
    );
  }
  return { type, sdp };
}

const EVENTS = new Set(["started", "update", "completed", "stopped"]);

function parseAnnounce(
  json: Json,
  limits: ParseLimits,
): AnnounceMessage | AnswerMessage {
  const context = { action: "announce" as const };
  const infoHash = binaryId(json, "info_hash", context);
  const withHash = { action: "announce" as const, infoHash };
  const peerId = binaryId(json, "peer_id", withHash);
  if (json.answer !== undefined) {
    return {
      kind: "answer",
      infoHash,
      peerId,
      toPeerId: binaryId(json, "to_peer_id", withHash),
      offerId: binaryId(json, "offer_id", withHash),
      answer: description(json.answer, "answer", "answer", limits, withHash),
    };
  }
  const event = json.event;
  if (
    event !== undefined && event !== null && event !== "" &&
    !EVENTS.has(event as string)
  ) {
    throw new ProtocolError(
      `Invalid event: ${JSON.stringify(event).slice(0, 40)}`,
      withHash,
    );
  }
  const numwant = optionalCount(json, "numwant", withHash);
  const left = optionalCount(json, "left", withHash);
  optionalCount(json, "uploaded", withHash);
  optionalCount(json, "downloaded", withHash);
  const offers: Offer[] = [];
  if (json.offers !== undefined && json.offers !== null) {
    if (!Array.isArray(json.offers)) {
      throw new ProtocolError("Invalid offers: expected an array", withHash);
    }
    const count = Math.min(json.offers.length, limits.maxOffers);
    for (let i = 0; i < count; i++) {
      const item = json.offers[i] as unknown;
      if (typeof item !== "object" || item === null) {
        throw new ProtocolError(
          `Invalid offers[${i}]: expected an object`,
          withHash,
        );
      }
      offers.push({
        offerId: binaryId(item as Json, "offer_id", withHash),
        offer: description(
          (item as Json).offer,
          "offer",
          `offers[${i}].offer`,
          limits,
          withHash,
        ),
      });
    }
  }
  return {
    kind: "announce",
    infoHash,
    peerId,
    event: event ? (event as AnnounceEvent) : undefined,
    numwant,
    left,
    offers,
  };
}

function parseScrape(json: Json, limits: ParseLimits): ScrapeMessage {
  const context = { action: "scrape" as const };
  const value = json.info_hash;
  if (value === undefined || value === null) {
    return { kind: "scrape", infoHashes: [] };
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.length > limits.maxScrape) {
    throw new ProtocolError(
      `Too many info_hashes: ${list.length}, at most ${limits.maxScrape}`,
      context,
    );
  }
  const infoHashes = list.map((item, i) => {
    if (!isBinaryId(item)) {
      throw new ProtocolError(
        `Invalid info_hash[${i}]: expected 20 characters`,
        context,
      );
    }
    return item;
  });
  return { kind: "scrape", infoHashes };
}

/**
 * Parse one text frame.
 *
 * @throws {ProtocolError} when the frame is not a valid message.
 * @example
 * ```ts
 * const message = parseMessage('{"action":"scrape"}');
 * message.kind; // "scrape"
 * ```
 */
export function parseMessage(
  text: string,
  limits: ParseLimits = DEFAULT_TRACKER_CONFIG,
): TrackerMessage {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProtocolError("Invalid message: not JSON");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ProtocolError("Invalid message: expected a JSON object");
  }
  const message = json as Json;
  if (message.action === "announce") return parseAnnounce(message, limits);
  if (message.action === "scrape") return parseScrape(message, limits);
  if (message.action !== undefined) {
    throw new ProtocolError(
      `Unknown action: ${JSON.stringify(message.action).slice(0, 40)}`,
    );
  }
  if (message.type !== undefined) return parseSimple(message);
  throw new ProtocolError("Invalid message: no action or type");
}
