/**
 * Base64 for tokens and credentials (standard and URL-safe), on Web
 * standards only, so it runs on the server, in the browser and on Deploy.
 * @module
 */

/**
 * Bytes as standard base64 (with padding).
 *
 * @example
 * ```ts
 * toBase64(new Uint8Array([251, 255])); // "+/8="
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Bytes as URL-safe base64 without padding (RFC 4648 §5).
 *
 * @example
 * ```ts
 * base64Url(new Uint8Array([251, 255])); // "-_8"
 * ```
 */
export function base64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** Decode URL-safe base64; `undefined` if `text` is not URL-safe base64. */
export function fromBase64Url(
  text: string,
): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    return undefined;
  }
  const binary = atob(
    text.replace(/-/g, "+").replace(/_/g, "/").padEnd(
      Math.ceil(text.length / 4) * 4,
      "=",
    ),
  );
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
