/**
 * The simple RedFlix signaling API's wire format, beside the WebTorrent
 * one: `{"type":"announce","peerId","infoHash"}` and
 * `{"type":"offer"|"answer"|"ice","from","to","data"}`. Ids are printable
 * ASCII of at most 64 characters; errors are answered in the dialect's own
 * shape (`{"type":"error"}`).
 * @module
 */
import { type Json, ProtocolError } from "./protocol_error.ts";

/** Simple API: join a swarm and get its peer list. */
export interface SimpleAnnounceMessage {
  /** Discriminant. */
  kind: "simple-announce";
  /** The swarm (any non-empty string). */
  infoHash: string;
  /** The announcing peer (any non-empty string). */
  peerId: string;
}

/** Simple API: relay opaque signaling data to one peer of the same swarm. */
export interface SimpleRelayMessage {
  /** Discriminant. */
  kind: "simple-relay";
  /** What is relayed. */
  type: "offer" | "answer" | "ice";
  /** Sender peer id (must be the socket's own). */
  from: string;
  /** Recipient peer id. */
  to: string;
  /** Opaque payload (SDP, ICE candidate…). */
  data: unknown;
}

/**
 * Longest simple-API peer or swarm id: room for a UUID or a hex SHA-1, and
 * no more, like WebTorrent's fixed 20 characters.
 */
const MAX_SIMPLE_ID = 64;

/** Errors of the simple dialect are answered in its own shape. */
const SIMPLE = { simple: true };

function simpleId(json: Json, field: string): string {
  const value = json[field];
  if (typeof value !== "string" || value.length === 0) {
    throw new ProtocolError(
      `Invalid ${field}: expected a non-empty string`,
      SIMPLE,
    );
  }
  if (value.length > MAX_SIMPLE_ID) {
    throw new ProtocolError(
      `Invalid ${field}: ${value.length} characters, at most ${MAX_SIMPLE_ID}`,
      SIMPLE,
    );
  }
  // Printable ASCII only: ids reach logs, JSON routes and other viewers.
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new ProtocolError(
      `Invalid ${field}: only printable ASCII characters (no spaces)`,
      SIMPLE,
    );
  }
  return value;
}

/** Parse a frame of the simple API (it has a `type`). */
export function parseSimple(
  json: Json,
): SimpleAnnounceMessage | SimpleRelayMessage {
  const type = json.type;
  if (type === "announce") {
    return {
      kind: "simple-announce",
      peerId: simpleId(json, "peerId"),
      infoHash: simpleId(json, "infoHash"),
    };
  }
  if (type === "offer" || type === "answer" || type === "ice") {
    if (json.data === undefined) {
      throw new ProtocolError("Missing data", SIMPLE);
    }
    return {
      kind: "simple-relay",
      type,
      from: simpleId(json, "from"),
      to: simpleId(json, "to"),
      data: json.data,
    };
  }
  throw new ProtocolError(
    `Unknown type: ${JSON.stringify(type).slice(0, 40)}`,
    SIMPLE,
  );
}
