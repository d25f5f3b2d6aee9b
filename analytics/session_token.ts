/**
 * Player sessions are minted by the server, one per page view (or zap), as
 * an HMAC-signed token: `v1.<sessionId>.<channel>.<issuedAt>.<signature>`.
 * A report is counted only with a valid token, so every claim is tied to a
 * real page view and bounded by the time since it was served: nobody can
 * invent sessions by posting reports, or claim an hour of bytes a second
 * after the page loaded. The secret never leaves the server.
 * @module
 */
import { base64Url, fromBase64Url } from "../utils/base64.ts";
import { addressKey } from "../utils/ip.ts";
import { KeyedRateLimiter } from "../utils/rate_limit.ts";

/** What a valid token says. */
export interface SessionClaims {
  /** Random id of the session. */
  sessionId: string;
  /** The channel the page was served for. */
  channel: string;
  /** When the token was minted (ms since epoch). */
  issuedAt: number;
}

/** How long a session token is valid: a long evening of live TV. */
export const SESSION_TOKEN_TTL_MS = 12 * 3600_000;

const VERSION = "v1";

/** Mints and checks session tokens with one secret. */
export class SessionTokens {
  #key: CryptoKey;
  #ttlMs: number;

  private constructor(key: CryptoKey, ttlMs: number) {
    this.#key = key;
    this.#ttlMs = ttlMs;
  }

  /**
   * Tokens signed with `secret` (shared by every instance of a cluster).
   *
   * @throws {RangeError} for a secret shorter than 32 characters.
   */
  static async create(
    secret: string,
    ttlMs = SESSION_TOKEN_TTL_MS,
  ): Promise<SessionTokens> {
    if (secret.length < 32) {
      throw new RangeError(
        `Invalid session secret: ${secret.length} characters, at least 32`,
      );
    }
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    return new SessionTokens(key, ttlMs);
  }

  /** A new session for `channel`, minted at `now`. */
  async mint(
    channel: string,
    now: number,
  ): Promise<{ token: string; claims: SessionClaims }> {
    const sessionId = base64Url(crypto.getRandomValues(new Uint8Array(16)));
    const body = `${VERSION}.${sessionId}.${channel}.${now.toString(36)}`;
    const signature = new Uint8Array(
      await crypto.subtle.sign(
        "HMAC",
        this.#key,
        new TextEncoder().encode(body),
      ),
    );
    return {
      token: `${body}.${base64Url(signature)}`,
      claims: { sessionId, channel, issuedAt: now },
    };
  }

  /**
   * The claims of a token, or `undefined` if it is malformed, forged, from
   * the future or expired at `now`.
   */
  async verify(token: string, now: number): Promise<SessionClaims | undefined> {
    if (token.length > 200) return undefined;
    const parts = token.split(".");
    if (parts.length !== 5 || parts[0] !== VERSION) return undefined;
    const [, sessionId, channel, issued, signature] = parts as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (
      !/^[A-Za-z0-9_-]{22}$/.test(sessionId) || !/^[a-z0-9]{1,12}$/.test(issued)
    ) {
      return undefined;
    }
    const signatureBytes = fromBase64Url(signature);
    if (!signatureBytes) return undefined;
    const valid = await crypto.subtle.verify(
      "HMAC",
      this.#key,
      signatureBytes,
      new TextEncoder().encode(parts.slice(0, 4).join(".")),
    );
    if (!valid) return undefined;
    const issuedAt = parseInt(issued, 36);
    if (issuedAt > now + 60_000 || now - issuedAt > this.#ttlMs) {
      return undefined;
    }
    return { sessionId, channel, issuedAt };
  }
}

/** Options of {@linkcode SessionIssuer}. */
export interface SessionIssuerOptions {
  /** New sessions one address may start per minute on average. */
  perMinute: number;
  /** New sessions one address may start in a burst (page views in a row). */
  burst: number;
  /** Current time in ms; injectable for tests. */
  clock?: () => number;
}

/**
 * Mints session tokens for page views, a bounded number per address: a
 * script that loads watch pages in a loop gets a few sessions, then none
 * (the pages still load; only reporting is off for them).
 */
export class SessionIssuer {
  #tokens: SessionTokens;
  #limiter: KeyedRateLimiter;
  #clock: () => number;

  /** An issuer of `tokens`, limited per address. */
  constructor(tokens: SessionTokens, options: SessionIssuerOptions) {
    this.#tokens = tokens;
    this.#limiter = new KeyedRateLimiter(options.perMinute / 60, options.burst);
    this.#clock = options.clock ?? Date.now;
  }

  /** The tokens, to verify reports. */
  get tokens(): SessionTokens {
    return this.#tokens;
  }

  /** A token for a page view of `channel` from `address`, or `undefined` past the address's budget. */
  async issue(channel: string, address: string): Promise<string | undefined> {
    const now = this.#clock();
    if (!this.#limiter.take(addressKey(address), now)) return undefined;
    return (await this.#tokens.mint(channel, now)).token;
  }
}
