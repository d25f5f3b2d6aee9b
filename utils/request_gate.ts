/**
 * The gate every HTTP request passes before the app sees it: who the client
 * is (behind trusted proxies, {@linkcode clientAddress}), how many of its
 * requests are open (a per-address cap, so slow bodies and slow readers from
 * one address cannot hold the server), and whether the server is draining
 * for a shutdown (new requests get 503 while the ones in flight finish).
 * @module
 */
import { clientAddress, type TrustProxy } from "./client_address.ts";
import { addressKey } from "./ip.ts";

/** A request handler as `Deno.serve` takes it (`info` absent for internal requests). */
export type ServeHandler = (
  req: Request,
  info?: Deno.ServeHandlerInfo,
) => Promise<Response>;

/** Options of {@linkcode RequestGate}. */
export interface RequestGateOptions {
  /** Which proxies report the client's address (`TRUST_PROXY`). */
  trustProxy: TrustProxy;
  /** Requests one address may have open at once (`HTTP_MAX_REQUESTS_PER_IP`). */
  maxRequestsPerAddress: number;
}

/** Counts open requests per address and in all, and drains them on shutdown. */
export class RequestGate {
  #options: RequestGateOptions;
  #open = new Map<string, number>();
  #total = 0;
  #draining = false;
  #idle?: () => void;
  /** Requests refused because their address had too many open. */
  refused = 0;

  /** A gate with nothing open. */
  constructor(options: RequestGateOptions) {
    this.#options = options;
  }

  /** Requests open now (their responses not yet fully sent). */
  get open(): number {
    return this.#total;
  }

  /**
   * Wrap a handler. From here on `info.remoteAddr` is the client's address
   * as `TRUST_PROXY` resolves it, so every route reads one answer.
   */
  wrap(handler: ServeHandler): ServeHandler {
    return async (req, info) => {
      if (this.#draining) {
        return Response.json({ error: "Server is restarting: try again" }, {
          status: 503,
          headers: { "retry-after": "1", connection: "close" },
        });
      }
      const address = clientAddress(
        req,
        info?.remoteAddr,
        this.#options.trustProxy,
      );
      const client: Deno.ServeHandlerInfo | undefined =
        info && address !== undefined
          ? {
            ...info,
            remoteAddr: { transport: "tcp", hostname: address, port: 0 },
          }
          : info;
      const key = address === undefined ? "" : addressKey(address);
      const open = this.#open.get(key) ?? 0;
      if (open >= this.#options.maxRequestsPerAddress) {
        this.refused++;
        return Response.json(
          { error: "Too many open requests from your address" },
          { status: 429, headers: { "retry-after": "1", connection: "close" } },
        );
      }
      this.#open.set(key, open + 1);
      this.#total++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const left = (this.#open.get(key) ?? 1) - 1;
        if (left > 0) this.#open.set(key, left);
        else this.#open.delete(key);
        if (--this.#total === 0) this.#idle?.();
      };
      // Open until the response is fully sent: a slow reader holds its slot too.
      info?.completed.then(release, release);
      try {
        return await handler(req, client);
      } catch (error) {
        release();
        throw error;
      } finally {
        if (!info) release();
      }
    };
  }

  /**
   * Refuse new requests (503) and wait until the open ones are done, or
   * `timeoutMs` passed; resolves `true` if everything finished.
   */
  drain(timeoutMs: number): Promise<boolean> {
    this.#draining = true;
    if (this.#total === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#idle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}
