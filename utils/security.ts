/**
 * Security headers for every response: a Content-Security-Policy that still
 * lets islands, hls.js (blob: workers, MSE blob: media) and the tracker's
 * WebSocket work, plus `nosniff`, a referrer policy and `frame-ancestors`.
 * @module
 */

/** Options of {@linkcode contentSecurityPolicy}. */
export interface SecurityOptions {
  /** Who may frame the site: CSP `frame-ancestors` sources; `'self'` by default. */
  frameAncestors?: string;
}

/** The site's Content-Security-Policy. */
export function contentSecurityPolicy(options: SecurityOptions = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Preact writes a few style attributes (island markers, the ratio bar); no inline <style>.
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    // Channel logos, HLS media and the tracker may live on other hosts.
    "img-src 'self' data: https: http:",
    "media-src 'self' blob: https: http:",
    "connect-src 'self' ws: wss: https: http:",
    "worker-src 'self' blob:",
    "frame-src 'self' https: http:",
    `frame-ancestors ${options.frameAncestors ?? "'self'"}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
}

/** Wrap a handler so each response carries the security headers. */
export function withSecurityHeaders<A extends unknown[]>(
  handler: (req: Request, ...rest: A) => Promise<Response>,
  options: SecurityOptions = {},
): (req: Request, ...rest: A) => Promise<Response> {
  const csp = contentSecurityPolicy(options);
  return async (req, ...rest) => {
    const response = await handler(req, ...rest);
    if (response.status === 101) return response; // WebSocket upgrade
    const headers = response.headers;
    try {
      if (!headers.has("x-content-type-options")) {
        headers.set("x-content-type-options", "nosniff");
      }
      if (!headers.has("referrer-policy")) {
        headers.set("referrer-policy", "strict-origin-when-cross-origin");
      }
      if (
        headers.get("content-type")?.startsWith("text/html") &&
        !headers.has("content-security-policy")
      ) {
        headers.set("content-security-policy", csp);
      }
      return response;
    } catch {
      // Immutable headers (a proxied response): copy once.
      const copy = new Response(response.body, response);
      copy.headers.set("x-content-type-options", "nosniff");
      return copy;
    }
  };
}
