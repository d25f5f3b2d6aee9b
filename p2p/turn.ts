/**
 * TURN as production sites run it: short-lived credentials minted per page
 * view with the TURN REST API scheme coturn implements (`use-auth-secret`
 * with `static-auth-secret`): the user name is the expiry time (Unix
 * seconds) and a tag, the password is base64(HMAC-SHA1(secret, user name)).
 * The secret stays on the server; a page gets credentials that stop working
 * when they expire. With `P2P_RELAY_ONLY=true` every P2P byte goes through
 * the relay and viewers never learn each other's addresses.
 * @module
 */
import { toBase64 } from "../utils/base64.ts";
import { envInteger, type EnvReader } from "../utils/env.ts";
import type { IceServer } from "./config.ts";

/** How the server mints TURN credentials. */
export interface TurnConfig {
  /** `turn:` / `turns:` URLs of the TURN server (`TURN_URLS`). */
  urls: string[];
  /** The secret shared with coturn's `static-auth-secret` (`TURN_SECRET`). */
  secret: string;
  /** How long minted credentials work (`TURN_CREDENTIAL_TTL`, seconds). */
  ttlS: number;
}

/** Credentials last a long evening by default: an allocation's refresh needs them valid. */
export const DEFAULT_TURN_TTL_S = 6 * 3600;

/**
 * Read `TURN_URLS`, `TURN_SECRET` and `TURN_CREDENTIAL_TTL`; `undefined`
 * when no TURN server is set.
 *
 * @throws {TypeError} naming the variable for a bad or missing value.
 */
export function turnConfigFromEnv(env: EnvReader): TurnConfig | undefined {
  const urls = (env("TURN_URLS") ?? "").split(",").map((u) => u.trim())
    .filter(Boolean);
  const secret = env("TURN_SECRET") ?? "";
  if (urls.length === 0 && !secret) return undefined;
  for (const url of urls) {
    if (!/^turns?:[^\s]+$/.test(url)) {
      throw new TypeError(
        `Invalid TURN_URLS: expected turn: or turns: URLs, got "${url}"`,
      );
    }
  }
  if (urls.length === 0) {
    throw new TypeError("Invalid TURN_URLS: TURN_SECRET is set, but no URL");
  }
  if (secret.length < 16) {
    throw new TypeError(
      `Invalid TURN_SECRET: ${secret.length} characters, at least 16 (the same as coturn's static-auth-secret)`,
    );
  }
  return {
    urls,
    secret,
    ttlS: envInteger(env, "TURN_CREDENTIAL_TTL", {
      fallback: DEFAULT_TURN_TTL_S,
      min: 60,
      max: 7 * 86_400,
    }),
  };
}

/** Mints TURN REST credentials with one secret. */
export class TurnCredentials {
  #config: TurnConfig;
  #key: CryptoKey;

  private constructor(config: TurnConfig, key: CryptoKey) {
    this.#config = config;
    this.#key = key;
  }

  /** A minter for `config`. */
  static async create(config: TurnConfig): Promise<TurnCredentials> {
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(config.secret),
      { name: "HMAC", hash: "SHA-1" },
      false,
      ["sign"],
    );
    return new TurnCredentials(config, key);
  }

  /**
   * An ICE server entry valid for the configured time from `nowMs`; `tag`
   * (a session id, never a secret) ends the user name, as coturn allows.
   *
   * @example
   * ```ts no-eval
   * const server = await minter.mint(Date.now(), "viewer");
   * // { urls: ["turn:turn.example:3478"], username: "1764100000:viewer", credential: "…" }
   * ```
   */
  async mint(nowMs: number, tag = "redflix"): Promise<IceServer> {
    const expiry = Math.floor(nowMs / 1000) + this.#config.ttlS;
    const username = `${expiry}:${tag.replace(/[^A-Za-z0-9_-]/g, "")}`;
    const signature = await crypto.subtle.sign(
      "HMAC",
      this.#key,
      new TextEncoder().encode(username),
    );
    return {
      urls: this.#config.urls,
      username,
      credential: toBase64(new Uint8Array(signature)),
    };
  }
}
