/**
 * What the tracker does with its registries' membership events: count them
 * for the stats and log them, at `debug` only, so nobody can flood the logs
 * by joining swarms.
 * @module
 */
import type { Peer } from "./swarm.ts";
import type { RegistryEvent } from "./registry.ts";
import { type Dialect, idText, type TrackerCounters } from "./stats.ts";
import { log } from "../utils/log.ts";

/**
 * A registry listener for `dialect` that counts into `counters` and calls
 * `onLeft` for every peer that leaves (the cluster forgets it).
 */
export function membershipListener(
  dialect: Dialect,
  counters: TrackerCounters,
  onLeft?: (peer: Peer) => void,
): (event: RegistryEvent) => void {
  const { peerEvents } = counters;
  return (event) => {
    switch (event.type) {
      case "swarm-created":
      case "swarm-removed":
        if (log.enabled("debug")) {
          log.debug(
            event.type === "swarm-created" ? "swarm.created" : "swarm.removed",
            {
              protocol: dialect,
              infoHash: idText(dialect, event.swarm.infoHash),
            },
          );
        }
        return;
      case "peer-joined":
        peerEvents.joined++;
        if (log.enabled("debug")) {
          log.debug("peer.joined", {
            protocol: dialect,
            infoHash: idText(dialect, event.peer.swarm.infoHash),
            peerId: idText(dialect, event.peer.id),
          });
        }
        return;
      case "peer-left":
        onLeft?.(event.peer);
        if (event.reason === "timeout") peerEvents.timedOut++;
        else peerEvents.left++;
        if (log.enabled("debug")) {
          log.debug(
            event.reason === "timeout" ? "peer.timed_out" : "peer.left",
            {
              protocol: dialect,
              reason: event.reason,
              infoHash: idText(dialect, event.peer.swarm.infoHash),
              peerId: idText(dialect, event.peer.id),
            },
          );
        }
    }
  };
}
