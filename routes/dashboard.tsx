import {
  dashboardData,
  type DashboardStats,
} from "../analytics/dashboard_data.ts";
import Dashboard from "../islands/Dashboard.tsx";
import { Head } from "../runtime/head.ts";
import type { Handlers, PageProps } from "../runtime/types.ts";
import type { AppState } from "../app/state.ts";

/** Gathers the figures the page shows (it works without JavaScript). */
export const handler: Handlers<DashboardStats, AppState> = {
  async GET(_req, ctx) {
    const { tracker, analytics, catalog } = ctx.state;
    return ctx.render(
      await dashboardData(tracker, analytics, (id) => catalog.get(id)?.name),
    );
  },
};

/** The operator's P2P dashboard. */
export default function DashboardPage(
  { data, state }: PageProps<DashboardStats, AppState>,
) {
  const { t, locale } = state;
  return (
    <section class="dashboard-page">
      <Head>
        <title>{`${t.dashboardTitle} · ${t.siteName}`}</title>
        <link rel="stylesheet" href="/dashboard.css" />
      </Head>
      <h1>{t.dashboardTitle}</h1>
      <p class="intro">{t.dashboardIntro}</p>
      <Dashboard initial={data} locale={locale} />
    </section>
  );
}
