import { parseReport } from "../../../analytics/report.ts";
import { BodyError, readBodyText } from "../../../utils/body.ts";
import { hostnameOf } from "../../../utils/client_address.ts";
import { addressKey } from "../../../utils/ip.ts";
import type { HandlerContext } from "../../../runtime/types.ts";
import type { AppState } from "../../../app/state.ts";

/** Largest report body; a real one is ~300 bytes. */
export const MAX_REPORT_BYTES = 4096;
/** A report's body must arrive within this long. */
export const REPORT_BODY_TIMEOUT_MS = 10_000;

function error(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

/**
 * Players report their running totals here (periodically, and once more
 * with `navigator.sendBeacon` when the page closes), with the session token
 * their page was served with. 204 when counted.
 */
export const handler = {
  async POST(
    req: Request,
    ctx: HandlerContext<unknown, AppState>,
  ): Promise<Response> {
    const { analytics, reportLimiter, catalog, sessions } = ctx.state;
    const address = addressKey(hostnameOf(ctx.remoteAddr) ?? "unknown");
    if (!reportLimiter.take(address, Date.now())) {
      await req.body?.cancel();
      return error(429, "Too many reports: slow down");
    }
    let text: string;
    try {
      // sendBeacon posts text/plain: the body is JSON whatever the type.
      text = await readBodyText(req, {
        maxBytes: MAX_REPORT_BYTES,
        timeoutMs: REPORT_BODY_TIMEOUT_MS,
      });
    } catch (e) {
      if (e instanceof BodyError) return e.toResponse();
      throw e;
    }
    let report;
    try {
      report = parseReport(JSON.parse(text));
    } catch (e) {
      return error(
        400,
        e instanceof SyntaxError
          ? "Invalid report: not JSON"
          : (e as Error).message,
      );
    }
    if (!catalog.get(report.channel)) {
      return error(422, `Unknown channel ${report.channel}`);
    }
    const claims = await sessions.tokens.verify(report.token, Date.now());
    if (!claims) {
      return error(401, "Invalid or expired session token: reload the page");
    }
    if (claims.channel !== report.channel) {
      return error(400, "Invalid report: the token is for another channel");
    }
    const result = analytics.ingest(report, claims, address);
    if (!result.accepted) return error(result.status, result.reason);
    return new Response(null, { status: 204 });
  },
};
