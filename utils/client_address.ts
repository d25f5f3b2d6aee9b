/**
 * Who is on the other end of a request. Behind reverse proxies the socket's
 * peer is the nearest proxy, and the viewer's address is in
 * `X-Forwarded-For`, which each proxy *appends* to: the entries on the left
 * are whatever the client wrote. So the address is read from the right,
 * skipping only proxies the operator trusts (`TRUST_PROXY`: a number of
 * hops, or the proxies' CIDR ranges), the way Express's `trust proxy` does.
 * @module
 */
import { type Cidr, cidrContains, parseCidr, parseIp } from "./ip.ts";

/** Which proxies in front of the app are trusted to report the client's address. */
export type TrustProxy =
  | { kind: "none" }
  | { kind: "hops"; hops: number }
  | { kind: "cidrs"; cidrs: Cidr[] };

/** Trust no proxy: the socket's peer is the client. */
export const TRUST_NO_PROXY: TrustProxy = { kind: "none" };

/**
 * Read `TRUST_PROXY`: empty, `false` or `0` (no proxy); a whole number of
 * proxies in front (`1` behind one nginx); or a comma-separated list of the
 * proxies' addresses or CIDR ranges.
 *
 * @throws {RangeError} for `true` (it trusted addresses clients can forge)
 * and anything else unreadable, naming the variable.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = (raw ?? "").trim().toLowerCase();
  if (value === "" || value === "false" || value === "0") return TRUST_NO_PROXY;
  if (value === "true") {
    throw new RangeError(
      'Invalid TRUST_PROXY: "true" trusted the leftmost X-Forwarded-For entry, which clients write themselves; give the number of proxies in front (e.g. 1) or their addresses (e.g. 10.0.0.0/8)',
    );
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) {
      throw new RangeError(
        `Invalid TRUST_PROXY: ${hops} proxies is more than 10`,
      );
    }
    return { kind: "hops", hops };
  }
  try {
    return {
      kind: "cidrs",
      cidrs: value.split(",").map((part) => parseCidr(part)),
    };
  } catch (error) {
    throw new RangeError(
      `Invalid TRUST_PROXY: expected false, a number of proxies or CIDR ranges (${
        (error as Error).message
      })`,
    );
  }
}

/**
 * The address of a `Deno.Addr`, if it is a network address. Behind the
 * request gate, a route's `ctx.remoteAddr` is the client's.
 */
export function hostnameOf(
  remoteAddr: Deno.Addr | undefined,
): string | undefined {
  return remoteAddr && "hostname" in remoteAddr
    ? remoteAddr.hostname
    : undefined;
}

/**
 * The client's address: the socket's peer, or, behind trusted proxies, the
 * first `X-Forwarded-For` entry from the right that is not a trusted proxy.
 *
 * @example
 * ```ts no-eval
 * // nginx (one hop) in front, a client that forged an entry:
 * // X-Forwarded-For: 198.51.100.7, 203.0.113.9  → "203.0.113.9"
 * clientAddress(req, info.remoteAddr, { kind: "hops", hops: 1 });
 * ```
 */
export function clientAddress(
  req: Request,
  remoteAddr: Deno.Addr | undefined,
  trust: TrustProxy,
): string | undefined {
  const peer = hostnameOf(remoteAddr);
  if (trust.kind === "none") return peer;
  // Nearest first: the socket's peer, then X-Forwarded-For right to left.
  const chain = [
    ...(peer ? [peer] : []),
    ...(req.headers.get("x-forwarded-for") ?? "").split(",")
      .map((entry) => entry.trim()).filter(Boolean).reverse(),
  ];
  if (trust.kind === "hops") {
    return chain[Math.min(trust.hops, chain.length - 1)];
  }
  for (const entry of chain) {
    const bytes = parseIp(entry);
    if (!bytes || !trust.cidrs.some((cidr) => cidrContains(cidr, bytes))) {
      return entry;
    }
  }
  return chain.at(-1);
}
