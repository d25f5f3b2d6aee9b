import { isLocale, messages, negotiateLocale } from "../i18n/mod.ts";
import type { HandlerContext } from "../runtime/types.ts";
import type { AppState } from "../app/state.ts";

/** Picks the viewer's language for every request. */
export function handler(
  req: Request,
  ctx: HandlerContext<unknown, AppState>,
): Promise<Response> {
  const requested = ctx.url.searchParams.get("lang");
  ctx.state.locale = requested && isLocale(requested)
    ? requested
    : negotiateLocale(req.headers.get("accept-language"));
  ctx.state.t = messages(ctx.state.locale);
  return ctx.next();
}
