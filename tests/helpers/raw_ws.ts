/**
 * A bare WebSocket client on a TCP connection, for clients no browser would
 * be: one that stops reading, or sends frames by hand.
 * @module
 */

/** Open `ws://127.0.0.1:<port><path>` by hand; resolves after the 101 response. */
export async function rawWebSocket(
  port: number,
  path: string,
): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const key = btoa(
    String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))),
  );
  await conn.write(new TextEncoder().encode(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  const buffer = new Uint8Array(1024);
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) {
      throw new Error("Connection closed during the WebSocket handshake");
    }
    head += new TextDecoder().decode(buffer.subarray(0, n));
  }
  if (!head.startsWith("HTTP/1.1 101")) {
    throw new Error(`Upgrade refused: ${head.split("\r\n")[0]}`);
  }
  return conn;
}

/** Encode a masked client text frame (RFC 6455 §5.2). */
export function textFrame(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const mask = crypto.getRandomValues(new Uint8Array(4));
  const length = payload.length;
  const header = length < 126
    ? [0x81, 0x80 | length]
    : length < 65536
    ? [0x81, 0x80 | 126, length >> 8, length & 0xff]
    : (() => {
      throw new RangeError("Frame too large for this helper");
    })();
  const frame = new Uint8Array(header.length + 4 + length);
  frame.set(header, 0);
  frame.set(mask, header.length);
  for (let i = 0; i < length; i++) {
    frame[header.length + 4 + i] = payload[i]! ^ mask[i % 4]!;
  }
  return frame;
}
