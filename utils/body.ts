/**
 * The one way the server reads a body it did not write (a request's, or an
 * upstream response's): a byte cap enforced while the body streams in
 * (chunked or not, whatever `Content-Length` claims) and a deadline for the
 * whole body, so neither a huge nor a trickling body can hold memory or a
 * request open.
 * @module
 */

/** A request or a response: headers and a body stream. */
export interface BodySource {
  /** Its headers (`Content-Length` is checked first). */
  readonly headers: Headers;
  /** Its body. */
  readonly body: ReadableStream<Uint8Array> | null;
}

/** A body the server refuses, with the HTTP status to answer. */
export class BodyError extends Error {
  /** 413 (too large), 408 (too slow) or 400 (broken). */
  readonly status: 400 | 408 | 413;

  /** An error to answer with `status`. */
  constructor(status: 400 | 408 | 413, message: string) {
    super(message);
    this.name = "BodyError";
    this.status = status;
  }

  /** The JSON error response for this refusal. */
  toResponse(): Response {
    return Response.json({ error: this.message }, {
      status: this.status,
      // A body we stopped reading may still be on the wire: do not reuse the connection.
      headers: { connection: "close" },
    });
  }
}

/** Options of {@linkcode readBody}. */
export interface ReadBodyOptions {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** The whole body must arrive within this long (ms). */
  timeoutMs: number;
}

/**
 * Read a body as bytes.
 *
 * @throws {BodyError} 413 past `maxBytes`, 408 past `timeoutMs`, 400 if the
 * client broke off.
 * @example
 * ```ts no-eval
 * const bytes = await readBody(req, { maxBytes: 4096, timeoutMs: 10_000 });
 * ```
 */
export async function readBody(
  req: BodySource,
  options: ReadBodyOptions,
): Promise<Uint8Array> {
  const { maxBytes, timeoutMs } = options;
  const tooLarge = () =>
    new BodyError(413, `Body too large: at most ${maxBytes} bytes`);
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) {
    await req.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    reader.cancel().catch(() => {});
  }, timeoutMs);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (true) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch {
        if (timedOut) break;
        throw new BodyError(400, "Body incomplete: the client broke off");
      }
      if (result.done) break;
      size += result.value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(result.value);
    }
    if (timedOut) {
      throw new BodyError(408, `Body too slow: send it within ${timeoutMs} ms`);
    }
  } finally {
    clearTimeout(timer);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

/** Read a body as UTF-8 text, with {@linkcode readBody}'s limits. */
export async function readBodyText(
  req: BodySource,
  options: ReadBodyOptions,
): Promise<string> {
  return new TextDecoder().decode(await readBody(req, options));
}
