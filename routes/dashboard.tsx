import { otherInstancesFigures } from "../analytics/shared.ts";
import Dashboard, { type DashboardStats } from "../islands/Dashboard.tsx";
import { Head } from "../runtime/head.ts";
import type { PageProps } from "../runtime/types.ts";
import type { AppState } from "../utils/state.ts";

/** The operator's P2P dashboard. */
export default function DashboardPage({ state }: PageProps<unknown, AppState>) {
  const { t, locale, tracker, analytics, catalog } = state;
  const snapshot = analytics.snapshot(otherInstancesFigures(tracker.cluster));
  const initial: DashboardStats = {
    ...tracker.stats(true),
    p2p: {
      ...snapshot,
      history: Object.fromEntries(
        Object.keys(snapshot.channels).map((c) => [c, analytics.history(c)]),
      ),
    },
  };
  const names = Object.fromEntries(catalog.channels.map((c) => [c.id, c.name]));
  return (
    <section class="dashboard-page">
      <Head>
        <title>{`${t.dashboardTitle} · ${t.siteName}`}</title>
      </Head>
      <h1>{t.dashboardTitle}</h1>
      <p class="intro">{t.dashboardIntro}</p>
      <Dashboard initial={initial} names={names} locale={locale} />
    </section>
  );
}
