/**
 * Whether a backend's engine is reachable, and what a change of state does:
 * on the way up, republish this instance's peers (the rejoin) and say so;
 * on the way down, say so loudly once per outage, not once per retry.
 * @module
 */
import type { BackendHandlers, ClusterState, MemberRecord } from "./backend.ts";
import { log } from "../../utils/log.ts";

/** Options of {@linkcode EngineState}. */
export interface EngineStateOptions {
  /** The backend's name, for logs. */
  backend: "redis" | "kv";
  /** This instance's id, for logs. */
  instanceId: string;
  /** What the tracker does meanwhile, for the outage log line. */
  fallback: string;
}

/** The reachability of one backend's engine. */
export class EngineState {
  #options: EngineStateOptions;
  #state: ClusterState = "local-only";
  #reportedDown = false;
  #closed = false;

  /** Down (local-only) until {@linkcode EngineState.up}. */
  constructor(options: EngineStateOptions) {
    this.#options = options;
  }

  /** `connected` or `local-only`. */
  get state(): ClusterState {
    return this.#state;
  }

  /** Whether the backend was closed (state changes are ignored then). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The engine answers: if it was down, hand every local member to
   * `republish`, log `cluster.connected` and tell the tracker.
   */
  up(
    handlers: BackendHandlers | undefined,
    republish: (member: MemberRecord) => void,
  ): void {
    if (this.#closed || this.#state === "connected") return;
    this.#state = "connected";
    this.#reportedDown = false;
    // Rejoin: the cluster forgot this instance's peers while it was away.
    let members = 0;
    for (const member of handlers?.localMembers() ?? []) {
      republish(member);
      members++;
    }
    log.info("cluster.connected", {
      backend: this.#options.backend,
      instance: this.#options.instanceId,
      republished: members,
    });
    handlers?.stateChanged("connected");
  }

  /** The engine failed: log `cluster.unreachable` once per outage. */
  down(reason: string, handlers: BackendHandlers | undefined): void {
    if (this.#closed) return;
    const was = this.#state;
    this.#state = "local-only";
    if (was === "connected" || !this.#reportedDown) {
      this.#reportedDown = true;
      log.error("cluster.unreachable", {
        backend: this.#options.backend,
        instance: this.#options.instanceId,
        reason,
        fallback: this.#options.fallback,
      });
      if (was === "connected") handlers?.stateChanged("local-only");
    }
  }

  /** The backend closed: local-only for good. */
  close(): void {
    this.#closed = true;
    this.#state = "local-only";
  }
}
