/**
 * A tracker on a fake clock with clients that are plain functions, for unit
 * tests of its rules: each client records the frames it is sent and how it
 * was closed.
 * @module
 */
import FakeTimers from "@sinonjs/fake-timers";
import type { Connection } from "../../tracker/connection.ts";
import { Tracker } from "../../tracker/tracker.ts";
import type { TrackerConfig } from "../../tracker/config.ts";

/** The info_hash of the DESIGN.md sample. */
export const HASH = "H8xgGJQ+9fDTmfjl7YpP";

/** A client: what it was sent, and how it was closed. */
export interface Client {
  connection: Connection;
  frames: Record<string, unknown>[];
  closed?: number;
  send(message: Record<string, unknown>): void;
  last(): Record<string, unknown> | undefined;
}

/** A tracker (random choice pinned) and a way to open clients on it. */
export function setup(config: Partial<TrackerConfig> = {}) {
  const clock = FakeTimers.createClock(1_000_000);
  const tracker = new Tracker({
    config,
    clock: () => clock.now,
    random: () => 0.5,
  });
  const open = (ip = "10.0.0.1", slot = tracker.reserve(ip)): Client => {
    const client = { frames: [] } as unknown as Client;
    client.connection = tracker.connect({
      send(text) {
        client.frames.push(JSON.parse(text));
        return true;
      },
      close(code) {
        client.closed = code;
      },
    }, { slot });
    client.send = (message) =>
      tracker.receive(client.connection, JSON.stringify(message));
    client.last = () => client.frames.at(-1);
    return client;
  };
  return { clock, tracker, open };
}

/** A WebTorrent announce. */
export function announce(
  peerId: string,
  extra: Record<string, unknown> = {},
  infoHash = HASH,
) {
  return { action: "announce", info_hash: infoHash, peer_id: peerId, ...extra };
}

/** One offer, as `offers`. */
export function offer(offerId: string) {
  return [{ offer_id: offerId, offer: { type: "offer", sdp: "v=0" } }];
}

/** An answer from `from` to `to`'s offer. */
export function answer(from: string, to: string, offerId: string) {
  return announce(from, {
    to_peer_id: to,
    offer_id: offerId,
    answer: { type: "answer", sdp: "v=0" },
  });
}
