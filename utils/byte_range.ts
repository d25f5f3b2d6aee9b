/**
 * HTTP `Range` requests (RFC 9110 §14) for one byte range: what players
 * ask for when they resume a segment a peer delivered only in part, so
 * the origin sends the rest instead of all of it again.
 * @module
 */

/** An inclusive byte range within a representation. */
export interface ByteRange {
  /** First byte. */
  start: number;
  /** Last byte (inclusive). */
  end: number;
}

/**
 * The range a `Range` header asks of `size` bytes: a {@linkcode ByteRange},
 * `"unsatisfiable"` (answer 416), or `undefined` when the header is absent,
 * not about bytes, malformed or asks for several ranges (answer 200 with
 * the whole representation, as RFC 9110 allows).
 *
 * @example
 * ```ts
 * parseByteRange("bytes=100-", 1000); // { start: 100, end: 999 }
 * parseByteRange("bytes=-200", 1000); // { start: 800, end: 999 }
 * parseByteRange("bytes=2000-", 1000); // "unsatisfiable"
 * ```
 */
export function parseByteRange(
  header: string | null,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  const match = header?.trim().match(/^bytes=(\d{0,15})-(\d{0,15})$/i);
  if (!match) return undefined;
  const [, first = "", last = ""] = match;
  if (first === "") {
    if (last === "") return undefined;
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== "" && Number(last) < start) return undefined; // invalid: ignored
  if (start >= size) return "unsatisfiable";
  return {
    start,
    end: last === "" ? size - 1 : Math.min(Number(last), size - 1),
  };
}
