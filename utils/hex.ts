/**
 * Hex encoding and digests, for ids, ETags and segment checks. Runs on the
 * server and in the browser (Web Crypto only).
 * @module
 */

/**
 * Bytes as lowercase hex.
 *
 * @example
 * ```ts
 * toHex(new Uint8Array([0, 255])); // "00ff"
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** The hex digest of `data` (`SHA-256` unless another algorithm is named). */
export async function digestHex(
  data: BufferSource,
  algorithm: "SHA-1" | "SHA-256" = "SHA-256",
): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest(algorithm, data)));
}
