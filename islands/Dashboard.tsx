import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { HistoryBucket, P2PFigures } from "../analytics/figures.ts";
import type { DashboardStats } from "../analytics/dashboard_data.ts";
import { Sparkline } from "../components/Sparkline.tsx";
import { type Locale, type Messages, messages } from "../i18n/mod.ts";
import { formatBytes } from "../p2p/stats.ts";

/** Props of the {@linkcode Dashboard} island. */
export interface DashboardProps {
  /** Figures at render time (the page works without JavaScript). */
  initial: DashboardStats;
  /** The viewer's language. */
  locale: Locale;
  /** Refresh period (ms). */
  refreshMs?: number;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

/** "3 (2 native HLS, 1 off by the viewer)", or "0". */
function countSummary<K extends string>(
  counts: Record<K, number>,
  names: Record<K, string>,
): string {
  const parts = (Object.keys(counts) as K[])
    .filter((reason) => counts[reason] > 0)
    .map((reason) => `${counts[reason]} ${names[reason]}`);
  const total = Object.values<number>(counts).reduce((sum, n) => sum + n, 0);
  return parts.length ? `${total} (${parts.join(", ")})` : "0";
}

function Card(
  { label, value, kind }: { label: string; value: string; kind?: string },
) {
  return (
    <div class={`stat-card ${kind ?? ""}`}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function ChannelRow({ id, name, figures, history, t }: {
  id: string;
  name: string;
  figures: P2PFigures;
  history: HistoryBucket[];
  t: Messages;
}) {
  const offload = history.map((b) => {
    const delivered = b.httpBytes + b.p2pBytes;
    return delivered ? (100 * b.p2pBytes) / delivered : 0;
  });
  return (
    <li
      class="dashboard-channel"
      data-channel={id}
      data-viewers={figures.viewers}
      data-offload={figures.offload.toFixed(4)}
    >
      <header>
        <h3>{name}</h3>
        <span>{figures.viewers} · {t.dashboardViewers.toLowerCase()}</span>
      </header>
      <div
        class="ratio"
        title={`${t.dashboardOffload}: ${percent(figures.offload)}`}
      >
        <div class="ratio-bar" style={{ width: percent(figures.offload) }} />
        <span class="ratio-label">
          {t.dashboardOffload}: <strong>{percent(figures.offload)}</strong>
        </span>
      </div>
      <p class="saved">
        {t.dashboardSaved}: <strong>{formatBytes(figures.p2pBytes)}</strong>
      </p>
      <div class="charts">
        <figure>
          <Sparkline
            class="dash-chart"
            slots={60}
            max={100}
            label={t.dashboardOffloadChart}
            series={[{ className: "line-p2p", values: offload.slice(-60) }]}
          />
          <figcaption>{t.dashboardOffloadChart}</figcaption>
        </figure>
        <figure>
          <Sparkline
            class="dash-chart"
            slots={60}
            label={t.dashboardViewersChart}
            series={[{
              className: "line-viewers",
              values: history.map((b) => b.viewers).slice(-60),
            }]}
          />
          <figcaption>{t.dashboardViewersChart}</figcaption>
        </figure>
      </div>
    </li>
  );
}

/** The operator's live view of P2P: totals, per-channel offload and viewers over time, swarms. */
export default function Dashboard(
  { initial, locale, refreshMs = 3000 }: DashboardProps,
) {
  const t = messages(locale);
  const stats = useSignal(initial);
  const updated = useSignal("");

  useEffect(() => {
    const refresh = async () => {
      try {
        const response = await fetch("/api/dashboard", {
          cache: "no-store",
        });
        if (response.ok) {
          stats.value = await response.json() as DashboardStats;
          updated.value = new Date().toLocaleTimeString(locale);
        }
      } catch {
        // keep the last figures; the next refresh tries again
      }
    };
    refresh();
    const timer = setInterval(refresh, refreshMs);
    return () => clearInterval(timer);
  }, []);

  const { p2p, peers, swarms, swarmDetails, names, nearShare } = stats.value;
  const channels = Object.entries(p2p.channels).sort((a, b) =>
    b[1].viewers - a[1].viewers
  );
  const biggest = Math.max(1, ...swarmDetails.map((s) => s.peers));
  return (
    <div
      class="dashboard"
      data-viewers={p2p.viewers}
      data-offload={p2p.offload.toFixed(4)}
    >
      <dl class="stat-cards">
        <Card
          label={t.dashboardViewers}
          value={String(p2p.viewers)}
          kind="viewers"
        />
        <Card
          label={t.dashboardOffload}
          value={percent(p2p.offload)}
          kind="offload"
        />
        <Card
          label={t.dashboardSaved}
          value={formatBytes(p2p.p2pBytes)}
          kind="saved"
        />
        <Card label={t.dashboardHttp} value={formatBytes(p2p.httpBytes)} />
        <Card
          label={t.dashboardUploaded}
          value={formatBytes(p2p.uploadedBytes)}
        />
        <Card
          label={t.dashboardTtff}
          value={p2p.avgTtffMs === null
            ? "–"
            : `${(p2p.avgTtffMs / 1000).toFixed(2)} s`}
        />
        <Card label={t.dashboardStalls} value={String(p2p.stalls)} />
        <Card
          label={t.dashboardNoP2P}
          value={countSummary(p2p.noP2P, t.dashboardNoP2PReason)}
          kind="no-p2p"
        />
        <Card
          label={t.dashboardNoUpload}
          value={countSummary(p2p.noUpload, t.dashboardNoUploadReason)}
          kind="no-upload"
        />
        <Card label={t.dashboardPeers} value={String(peers)} />
        <Card label={t.dashboardSwarms} value={String(swarms)} />
        <Card
          label={t.dashboardNearOffers}
          value={nearShare === undefined
            ? "–"
            : `${Math.round(nearShare * 100)} %`}
          kind="near-offers"
        />
      </dl>
      <h2>{t.dashboardChannels}</h2>
      {channels.length === 0
        ? <p class="empty">{t.dashboardNoData}</p>
        : (
          <ul class="dashboard-channels">
            {channels.map(([id, figures]) => (
              <ChannelRow
                key={id}
                id={id}
                name={names[id] ?? id}
                figures={figures}
                history={p2p.history?.[id] ?? []}
                t={t}
              />
            ))}
          </ul>
        )}
      {swarmDetails.length > 0 && (
        <>
          <h2>{t.dashboardSwarms}</h2>
          <ol class="swarm-bars">
            {swarmDetails.slice(0, 12).map((s) => (
              <li key={s.infoHash}>
                <code>{s.infoHash.slice(0, 10)}</code>
                <span
                  class="bar"
                  style={{ width: `${(100 * s.peers) / biggest}%` }}
                />
                <span>{s.peers}</span>
              </li>
            ))}
          </ol>
        </>
      )}
      {updated.value && <p class="updated">{t.dashboardUpdated} {updated}</p>}
    </div>
  );
}
