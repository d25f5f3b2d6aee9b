/**
 * HTTP/1.1 by hand on a TCP connection, for clients no browser would be:
 * bodies that never end, bodies that trickle, headers that never finish.
 * @module
 */

/** What a hand-made request got back. */
export interface RawResult {
  /** The status code, or 0 if the server answered nothing. */
  status: number;
  /** The response head and whatever body arrived. */
  text: string;
  /** Body bytes the client managed to send before the answer (or the close). */
  sent: number;
  /** How long it took (ms). */
  ms: number;
}

/** Options of {@linkcode rawRequest}. */
export interface RawRequestOptions {
  /** Extra header lines, e.g. `["X-Forwarded-For: 1.2.3.4"]`. */
  headers?: string[];
  /** Send the body chunked (`Transfer-Encoding: chunked`), one chunk per piece. */
  chunked?: boolean;
  /** Body pieces, sent one by one until the server answers or closes. */
  body?: Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  /** Pause between pieces (ms). */
  delayMs?: number;
  /** Give up waiting for an answer after this long (ms). */
  timeoutMs?: number;
}

/** Send `method path` to 127.0.0.1:`port` by hand, stopping the body as soon as an answer comes. */
export async function rawRequest(
  port: number,
  method: string,
  path: string,
  options: RawRequestOptions = {},
): Promise<RawResult> {
  const started = performance.now();
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const encoder = new TextEncoder();
  const head = [
    `${method} ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    ...(options.chunked ? ["Transfer-Encoding: chunked"] : []),
    ...(options.headers ?? []),
    "",
    "",
  ].join("\r\n");
  let text = "";
  let answered = false;
  const reading = (async () => {
    const buffer = new Uint8Array(16 * 1024);
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) break;
        text += new TextDecoder().decode(buffer.subarray(0, n));
        answered = true;
        if (/\r\n\r\n/.test(text)) break;
      }
    } catch {
      // reset by the server
    }
  })();
  let sent = 0;
  try {
    await conn.write(encoder.encode(head));
    for await (const piece of options.body ?? []) {
      if (answered) break;
      const framed = options.chunked
        ? [
          encoder.encode(`${piece.length.toString(16)}\r\n`),
          piece,
          encoder.encode("\r\n"),
        ]
        : [piece];
      for (const part of framed) await conn.write(part);
      sent += piece.length;
      if (options.delayMs) {
        await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      }
    }
    if (options.chunked && !answered) {
      await conn.write(encoder.encode("0\r\n\r\n"));
    }
  } catch {
    // the server closed the connection on us: what it answered is read below
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(resolve, options.timeoutMs ?? 15_000);
  });
  await Promise.race([reading, timeout]);
  clearTimeout(timer);
  try {
    conn.close();
  } catch {
    // already closed
  }
  await reading;
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  return { status, text, sent, ms: performance.now() - started };
}

/** `count` pieces of `size` bytes each (lazily: nothing is held in memory). */
export function* pieces(count: number, size: number): Generator<Uint8Array> {
  const piece = new Uint8Array(size).fill(0x20);
  for (let i = 0; i < count; i++) yield piece;
}
