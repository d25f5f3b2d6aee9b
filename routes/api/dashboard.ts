import { dashboardData } from "../../analytics/dashboard_data.ts";
import type { HandlerContext } from "../../runtime/types.ts";
import type { AppState } from "../../app/state.ts";

/** The dashboard's figures as JSON (what `/dashboard` refreshes from). */
export const handler = {
  async GET(
    _req: Request,
    ctx: HandlerContext<unknown, AppState>,
  ): Promise<Response> {
    const { tracker, analytics, catalog } = ctx.state;
    return Response.json(
      await dashboardData(tracker, analytics, (id) => catalog.get(id)?.name),
      { headers: { "cache-control": "no-store" } },
    );
  },
};
