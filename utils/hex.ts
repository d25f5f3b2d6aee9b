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

/**
 * A binary string (each character one byte, as WebTorrent ids are) as hex.
 *
 * @example
 * ```ts
 * binaryToHex("\u0000\u00ff-P"); // "00ff2d50"
 * ```
 */
export function binaryToHex(binary: string): string {
  let hex = "";
  for (let i = 0; i < binary.length; i++) {
    hex += (binary.charCodeAt(i) & 0xff).toString(16).padStart(2, "0");
  }
  return hex;
}

/** Hex (an even number of hex digits) as a binary string: the inverse of {@linkcode binaryToHex}. */
export function hexToBinary(hex: string): string {
  let binary = "";
  for (let i = 0; i < hex.length; i += 2) {
    binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  }
  return binary;
}

/** The hex digest of `data` (`SHA-256` unless another algorithm is named). */
export async function digestHex(
  data: BufferSource,
  algorithm: "SHA-1" | "SHA-256" = "SHA-256",
): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest(algorithm, data)));
}
