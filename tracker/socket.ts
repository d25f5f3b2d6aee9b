/**
 * Serves the tracker on a WebSocket: `Deno.upgradeWebSocket` with
 * keep-alive pings, wired to a {@linkcode Tracker}.
 * @module
 */
import { CloseCode, type Connection } from "./connection.ts";
import { localityKeys } from "./locality.ts";
import type { Tracker } from "./tracker.ts";

/** Why an upgrade request was refused. */
export interface UpgradeRefusal {
  /** HTTP status. */
  status: number;
  /** Message for the client. */
  error: string;
}

/** Check an upgrade request against the origin allowlist and the protocol. */
export function checkUpgrade(
  req: Request,
  allowedOrigins: readonly string[],
): UpgradeRefusal | undefined {
  if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return {
      status: 426,
      error: "This is a WebSocket tracker: connect with a WebSocket client",
    };
  }
  if (allowedOrigins.length > 0) {
    const origin = req.headers.get("origin");
    if (!origin || !allowedOrigins.includes(origin)) {
      return {
        status: 403,
        error: `Origin ${origin ?? "(none)"} is not allowed`,
      };
    }
  }
  return undefined;
}

/**
 * Upgrade a request to a tracker WebSocket; `address` is the client's
 * (behind proxies, as `TRUST_PROXY` resolves it). The socket is pinged after
 * `idleTimeoutS` of silence and closed if no pong comes back, so dead
 * peers leave their swarms promptly and proxies do not cut idle sockets.
 * A client that does not read what it is sent (its send buffer passes
 * `maxBufferedBytes`) is closed rather than slowing anyone else.
 */
export function upgradeToTracker(
  req: Request,
  tracker: Tracker,
  address?: string,
): Response {
  const { config } = tracker;
  const refusal = checkUpgrade(req, config.allowedOrigins);
  if (refusal) {
    if (refusal.status === 403) tracker.counters.refused.origin++;
    return Response.json({ error: refusal.error }, { status: refusal.status });
  }
  // The slot is taken now, not on open: concurrent upgrades cannot overshoot the cap.
  const slot = tracker.reserve(address);
  if (!slot) {
    return Response.json(
      {
        error:
          `Too many connections from your address: at most ${config.maxConnectionsPerIp}`,
      },
      { status: 429 },
    );
  }
  let upgraded: ReturnType<typeof Deno.upgradeWebSocket>;
  try {
    upgraded = Deno.upgradeWebSocket(req, { idleTimeout: config.idleTimeoutS });
  } catch (error) {
    slot.release();
    return Response.json({ error: (error as Error).message }, { status: 400 });
  }
  const { socket, response } = upgraded;
  let connection: Connection | undefined;
  const channel = new URL(req.url).searchParams.get("channel") ?? undefined;
  // Where the client sits, for offers to nearby peers first (kept private).
  const { regionHeader } = config.locality;
  const locality = localityKeys(
    address,
    regionHeader ? req.headers.get(regionHeader) ?? undefined : undefined,
    config.locality,
  );
  socket.onopen = () => {
    connection = tracker.connect({
      send(text) {
        if (socket.readyState !== WebSocket.OPEN) return false;
        if (socket.bufferedAmount > config.maxBufferedBytes) {
          tracker.counters.slowClosed++;
          socket.close(
            CloseCode.policyViolation,
            "Client too slow: send buffer full",
          );
          // A client that does not read never completes the close handshake:
          // forget it now (after the current relay loop), not on "close".
          const dropped = connection;
          if (dropped) queueMicrotask(() => tracker.disconnect(dropped));
          return false;
        }
        socket.send(text);
        return true;
      },
      close(code, reason) {
        socket.close(code, reason);
      },
    }, { channel, slot, locality });
  };
  socket.onmessage = (event: MessageEvent<string | ArrayBuffer | Blob>) => {
    if (connection) tracker.receive(connection, event.data);
  };
  // A socket that never opened gives its slot back here; an open one on disconnect.
  socket.onclose = () => {
    if (connection) tracker.disconnect(connection);
    else slot.release();
  };
  socket.onerror = () => {
    if (connection) tracker.disconnect(connection);
    else slot.release();
  };
  return response;
}
