/**
 * Serves the tracker on a WebSocket: `Deno.upgradeWebSocket` with
 * keep-alive pings, wired to a {@linkcode Tracker}.
 * @module
 */
import type { Connection, Tracker } from "./tracker.ts";

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
 * Upgrade a request to a tracker WebSocket. The socket is pinged after
 * `idleTimeoutS` of silence and closed if no pong comes back, so dead
 * peers leave their swarms promptly and proxies do not cut idle sockets.
 */
export function upgradeToTracker(req: Request, tracker: Tracker): Response {
  const refusal = checkUpgrade(req, tracker.config.allowedOrigins);
  if (refusal) {
    return Response.json({ error: refusal.error }, { status: refusal.status });
  }
  const { socket, response } = Deno.upgradeWebSocket(req, {
    idleTimeout: tracker.config.idleTimeoutS,
  });
  let connection: Connection | undefined;
  const channel = new URL(req.url).searchParams.get("channel") ?? undefined;
  socket.onopen = () => {
    connection = tracker.connect({
      send(text) {
        if (socket.readyState !== WebSocket.OPEN) return false;
        socket.send(text);
        return true;
      },
      close(code, reason) {
        socket.close(code, reason);
      },
    }, channel);
  };
  socket.onmessage = (event: MessageEvent<string | ArrayBuffer | Blob>) => {
    if (connection) tracker.receive(connection, event.data);
  };
  socket.onclose = () => {
    if (connection) tracker.disconnect(connection);
  };
  socket.onerror = () => {
    if (connection) tracker.disconnect(connection);
  };
  return response;
}
