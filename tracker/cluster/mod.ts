/**
 * Many tracker instances acting as one: shared swarm membership and relays
 * on Redis (self-hosted) or Deno KV (Deno Deploy).
 * @module
 */
export {
  type AnnounceOptions,
  type ClusterPeer,
  type ClusterState,
  clusterTotals,
  type InstanceSummary,
  type MemberRecord,
  newInstanceId,
  type PeerRef,
  type PickResult,
  type RelayEnvelope,
  type SwarmBackend,
} from "./backend.ts";
export {
  type BackendName,
  BACKENDS,
  type ClusterConfig,
  clusterConfigFromEnv,
  createBackend,
  DEFAULT_CLUSTER_CONFIG,
} from "./config.ts";
export { KvBackend, type KvBackendOptions } from "./kv.ts";
export {
  newRedisClient,
  RedisBackend,
  type RedisBackendOptions,
  type RedisClient,
} from "./redis.ts";
