/**
 * IP addresses as bytes: parsing (IPv4, IPv6, IPv4-mapped IPv6), CIDR
 * ranges, the special-purpose ranges a server must not be steered to, and
 * the key that per-address limits count by. One home for every rule about
 * addresses: proxies, abuse limits and outgoing fetches all use it.
 * @module
 */

/** An address: 4 bytes (IPv4) or 16 bytes (IPv6). */
export type IpBytes = Uint8Array;

/** A CIDR range such as `10.0.0.0/8` or `2001:db8::/32`. */
export interface Cidr {
  /** The network's bytes (host bits cleared). */
  bytes: IpBytes;
  /** Prefix length in bits. */
  prefix: number;
}

function parseIpv4(text: string): IpBytes | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    bytes[i] = value;
  }
  return bytes;
}

function parseIpv6(text: string): IpBytes | undefined {
  const zone = text.indexOf("%");
  if (zone !== -1) text = text.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups: number[][] = [];
  for (const half of halves) {
    const words: number[] = [];
    if (half !== "") {
      const pieces = half.split(":");
      for (let i = 0; i < pieces.length; i++) {
        const piece = pieces[i]!;
        if (piece.includes(".")) {
          // An embedded IPv4 address may only end the address.
          if (i !== pieces.length - 1 || half !== halves.at(-1)) {
            return undefined;
          }
          const v4 = parseIpv4(piece);
          if (!v4) return undefined;
          words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        } else {
          if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
          words.push(parseInt(piece, 16));
        }
      }
    }
    groups.push(words);
  }
  const head = groups[0]!;
  const tail = groups[1] ?? [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words = [...head, ...new Array(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

/** Whether 16 bytes are an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`). */
function isMapped(bytes: IpBytes): boolean {
  if (bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/**
 * Parse an IP address; IPv4-mapped IPv6 becomes IPv4, brackets and zone ids
 * are dropped. `undefined` when `text` is not an address.
 *
 * @example
 * ```ts
 * parseIp("::ffff:192.0.2.1"); // Uint8Array [192, 0, 2, 1]
 * ```
 */
export function parseIp(text: string): IpBytes | undefined {
  const trimmed = text.trim().replace(/^\[(.*)\]$/, "$1");
  if (trimmed.includes(":")) {
    const bytes = parseIpv6(trimmed);
    return bytes && isMapped(bytes) ? bytes.slice(12) : bytes;
  }
  return parseIpv4(trimmed);
}

/** Write an address the usual way (`192.0.2.1`, `2001:db8::1`). */
export function formatIp(bytes: IpBytes): string {
  if (bytes.length === 4) return bytes.join(".");
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  // The longest run of zero words (two or more) becomes "::".
  let best = -1, bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((word) => word.toString(16));
  if (best === -1) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${
    hex.slice(best + bestLength).join(":")
  }`;
}

/** Clear the bits after `prefix`: the network part of an address. */
export function maskIp(bytes: IpBytes, prefix: number): IpBytes {
  const masked = bytes.slice();
  for (let i = 0; i < masked.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - 8 * i));
    masked[i]! &= keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
  }
  return masked;
}

/**
 * Parse a CIDR range; a bare address is a range of one.
 *
 * @throws {RangeError} naming the bad value.
 */
export function parseCidr(text: string): Cidr {
  const [address = "", bits, extra] = text.trim().split("/");
  const bytes = parseIp(address);
  if (!bytes || extra !== undefined) {
    throw new RangeError(
      `Invalid CIDR "${text}": expected an address with an optional /prefix`,
    );
  }
  // A mapped IPv6 range (::ffff:10.0.0.0/104) is an IPv4 range.
  const offset = bytes.length === 4 && address.includes(":") ? 96 : 0;
  const max = bytes.length * 8;
  const prefix = bits === undefined ? max : Number(bits) - offset;
  if (!/^\d{1,3}$/.test(bits ?? "0") || prefix < 0 || prefix > max) {
    throw new RangeError(
      `Invalid CIDR "${text}": prefix must be 0-${max + offset}`,
    );
  }
  return { bytes: maskIp(bytes, prefix), prefix };
}

/** Whether `address` lies in `cidr` (an IPv4 range never holds an IPv6 address). */
export function cidrContains(cidr: Cidr, address: IpBytes): boolean {
  if (cidr.bytes.length !== address.length) return false;
  const whole = cidr.prefix >> 3;
  for (let i = 0; i < whole; i++) {
    if (cidr.bytes[i] !== address[i]) return false;
  }
  const rest = cidr.prefix & 7;
  if (rest === 0) return true;
  const bitMask = (0xff << (8 - rest)) & 0xff;
  return (address[whole]! & bitMask) === cidr.bytes[whole];
}

/**
 * Ranges that are not the public internet: loopback, private networks,
 * link-local (cloud metadata services live there), carrier-grade NAT,
 * "this network", multicast and reserved space, and their IPv6 twins.
 */
const NON_PUBLIC: readonly Cidr[] = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "224.0.0.0/3",
  "::/127",
  "64:ff9b:1::/48",
  "fc00::/7",
  "fe80::/10",
  "ff00::/8",
].map(parseCidr);

/** Whether an address is loopback, private, link-local or otherwise not public. */
export function isNonPublic(address: IpBytes): boolean {
  return NON_PUBLIC.some((cidr) => cidrContains(cidr, address));
}

/**
 * The key per-address limits count by: an IPv4 address as is, an IPv6
 * address by its /64 (one subscriber's usual allocation, so rotating
 * addresses inside it does not multiply anyone's budget). Text that is not
 * an address is returned as is.
 *
 * @example
 * ```ts
 * addressKey("2001:db8:1:2:aaaa::1"); // "2001:db8:1:2::/64"
 * ```
 */
export function addressKey(address: string): string {
  const bytes = parseIp(address);
  if (!bytes) return address;
  if (bytes.length === 4) return formatIp(bytes);
  return `${formatIp(maskIp(bytes, 64))}/64`;
}
