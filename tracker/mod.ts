/**
 * The RedFlix tracker: WebTorrent tracker protocol plus the simple
 * signaling API, independent of the web layer.
 *
 * @example
 * ```ts no-eval
 * import { Tracker, upgradeToTracker } from "./tracker/mod.ts";
 * const tracker = new Tracker();
 * tracker.start();
 * Deno.serve((req) => upgradeToTracker(req, tracker));
 * ```
 * @module
 */
export {
  DEFAULT_TRACKER_CONFIG,
  type TrackerConfig,
  trackerConfigFromEnv,
} from "./config.ts";
export {
  isBinaryId,
  parseMessage,
  ProtocolError,
  type TrackerMessage,
} from "./protocol.ts";
export { Registry } from "./registry.ts";
export { checkUpgrade, upgradeToTracker } from "./socket.ts";
export { Swarm } from "./swarm.ts";
export { CloseCode } from "./connection.ts";
export type { PeerInfo, PeersPage, TrackerStats } from "./stats.ts";
export { Tracker } from "./tracker.ts";
export { VERSION } from "./version.ts";
