/**
 * How the tracker says no: a WebTorrent `failure reason`, or the simple
 * API's `{"type":"error"}`, each counted once.
 * @module
 */
import type { Connection } from "./connection.ts";
import type { ProtocolError } from "./protocol.ts";
import type { TrackerCounters } from "./stats.ts";

/** Send `{"failure reason": …}` with the action and info_hash the error knows. */
export function sendFailure(
  connection: Connection,
  counters: TrackerCounters,
  error: ProtocolError,
): void {
  counters.out.error++;
  const reply: Record<string, unknown> = { "failure reason": error.message };
  if (error.action) reply.action = error.action;
  if (error.infoHash !== undefined) reply.info_hash = error.infoHash;
  connection.send(JSON.stringify(reply));
}

/** Send the simple API's `{"type":"error","message":…}`. */
export function sendSimpleError(
  connection: Connection,
  counters: TrackerCounters,
  message: string,
): void {
  counters.out.error++;
  connection.send(JSON.stringify({ type: "error", message }));
}
