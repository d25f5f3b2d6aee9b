/**
 * The socket side of the tracker: who is connected, the slots each address
 * holds, the players of each channel, and the gate every frame passes
 * before any swarm logic sees it (binary, size, message budget). A change
 * to these budgets never touches swarm code, and the other way round.
 * @module
 */
import type { TrackerConfig } from "./config.ts";
import {
  type AdmissionSlot,
  CloseCode,
  type ConnectInfo,
  Connection,
  type Transport,
} from "./connection.ts";
import { sendFailure } from "./failures.ts";
import { ProtocolError } from "./protocol.ts";
import type { TrackerCounters } from "./stats.ts";
import { isChannelId } from "../channels/channel.ts";
import { addressKey } from "../utils/ip.ts";
import { TokenBucket } from "../utils/rate_limit.ts";

/** Add `delta` to a count, deleting it at zero. */
function increment(
  counts: Map<string, number>,
  key: string,
  delta: number,
): void {
  const value = (counts.get(key) ?? 0) + delta;
  if (value > 0) counts.set(key, value);
  else counts.delete(key);
}

/** The tracker's open connections and the budgets they live under. */
export class Connections {
  #config: TrackerConfig;
  #counters: TrackerCounters;
  #clock: () => number;
  #open = new Set<Connection>();
  #byAddress = new Map<string, number>();
  #playersByChannel = new Map<string, number>();

  /** No connection yet. */
  constructor(
    config: TrackerConfig,
    counters: TrackerCounters,
    clock: () => number,
  ) {
    this.#config = config;
    this.#counters = counters;
    this.#clock = clock;
  }

  /** Open connections. */
  get size(): number {
    return this.#open.size;
  }

  /** Every open connection (a copy: closing them while iterating is fine). */
  all(): Connection[] {
    return [...this.#open];
  }

  /**
   * Reserve a slot for `address` under the per-address cap, before the
   * WebSocket handshake, so concurrent upgrades cannot overshoot it.
   * `undefined` (and a counted refusal) when the address is at its cap.
   */
  reserve(address: string | undefined): AdmissionSlot | undefined {
    const key = address === undefined ? undefined : addressKey(address);
    if (key !== undefined) {
      if (
        (this.#byAddress.get(key) ?? 0) >= this.#config.maxConnectionsPerIp
      ) {
        this.#counters.refused.connectionsPerIp++;
        return undefined;
      }
      increment(this.#byAddress, key, 1);
    }
    let held = true;
    return {
      address,
      release: () => {
        if (!held) return;
        held = false;
        if (key !== undefined) increment(this.#byAddress, key, -1);
      },
    };
  }

  /** Register a connection on its reserved slot; `channel` counts it as a player of that channel. */
  connect(transport: Transport, info: ConnectInfo = {}): Connection {
    const channel = isChannelId(info.channel) ? info.channel : undefined;
    const bucket = new TokenBucket(
      this.#config.messagesPerSecond,
      this.#config.messageBurst,
      this.#clock(),
    );
    const connection = new Connection(transport, bucket, {
      channel,
      slot: info.slot,
      locality: info.locality,
    });
    this.#open.add(connection);
    if (channel) increment(this.#playersByChannel, channel, 1);
    return connection;
  }

  /** Forget a connection and give back its slot; `false` if it was already forgotten. */
  disconnect(connection: Connection): boolean {
    connection.markClosed();
    if (!this.#open.delete(connection)) return false;
    if (connection.channel) {
      increment(this.#playersByChannel, connection.channel, -1);
    }
    connection.slot.release();
    return true;
  }

  /** Player sockets of a channel open on this instance. */
  connectedPlayers(channel: string): number {
    return this.#playersByChannel.get(channel) ?? 0;
  }

  /** Player sockets per channel on this instance, for the cluster's heartbeat. */
  playersByChannel(): Record<string, number> {
    return Object.fromEntries(this.#playersByChannel);
  }

  /**
   * The gate: the frame's text if it may be parsed, or `undefined` when it
   * was refused here (binary or oversized frames close the socket, a flood
   * gets one failure and then a close). `onClosed` runs when it closed one.
   */
  admit(
    connection: Connection,
    data: string | ArrayBuffer | Blob | Uint8Array,
    onClosed: (connection: Connection) => void,
  ): string | undefined {
    const counters = this.#counters;
    const config = this.#config;
    if (typeof data !== "string") {
      counters.in.binary++;
      this.#refuse(
        connection,
        "Binary frames are not supported: send JSON text",
        CloseCode.unsupportedData,
        "Binary frames are not supported",
      );
      onClosed(connection);
      return undefined;
    }
    if (data.length > config.maxMessageSize) {
      counters.in.oversized++;
      this.#refuse(
        connection,
        `Message too big: ${data.length} characters, at most ${config.maxMessageSize}`,
        CloseCode.messageTooBig,
        "Message too big",
      );
      onClosed(connection);
      return undefined;
    }
    if (!connection.bucket.take(this.#clock())) {
      counters.rateLimited++;
      // Say it once per flood; a client that keeps flooding is closed.
      if (connection.droppedInARow++ === 0) {
        sendFailure(
          connection,
          counters,
          new ProtocolError(
            `Rate limit exceeded: at most ${config.messagesPerSecond} messages per second`,
          ),
        );
      } else if (connection.droppedInARow > config.messageBurst) {
        connection.close(CloseCode.policyViolation, "Rate limit exceeded");
        onClosed(connection);
      }
      return undefined;
    }
    connection.droppedInARow = 0;
    return data;
  }

  #refuse(
    connection: Connection,
    reason: string,
    code: number,
    closeReason: string,
  ): void {
    sendFailure(connection, this.#counters, new ProtocolError(reason));
    connection.close(code, closeReason);
  }
}
