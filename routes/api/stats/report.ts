import { parseReport } from "../../../analytics/report.ts";
import { clientIp } from "../../../tracker/socket.ts";
import type { HandlerContext } from "../../../runtime/types.ts";
import type { AppState } from "../../../utils/state.ts";

const MAX_BODY = 4096;

function error(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

/**
 * Players report their counters here (periodically, and once more with
 * `navigator.sendBeacon` when the page closes). 204 when counted.
 */
export const handler = {
  async POST(
    req: Request,
    ctx: HandlerContext<unknown, AppState>,
  ): Promise<Response> {
    const { analytics, reportLimiter, catalog, tracker } = ctx.state;
    const ip = clientIp(req, ctx.remoteAddr, tracker.config.trustProxy) ??
      "unknown";
    if (!reportLimiter.take(ip, Date.now())) {
      return error(429, "Too many reports: slow down");
    }
    if (Number(req.headers.get("content-length") ?? 0) > MAX_BODY) {
      return error(413, "Report too large");
    }
    const text = await req.text(); // sendBeacon posts text/plain: the body is JSON whatever the type
    if (text.length > MAX_BODY) return error(413, "Report too large");
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
    const result = analytics.ingest(report);
    if (!result.accepted) return error(429, result.reason);
    return new Response(null, { status: 204 });
  },
};
