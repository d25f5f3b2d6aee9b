import type { ReadonlySignal } from "@preact/signals";
import type { ReportedP2PStatus } from "../analytics/report.ts";
import type { Messages } from "../i18n/mod.ts";
import { formatBytes, formatSpeed, type P2PStats } from "../p2p/stats.ts";
import { Sparkline } from "./Sparkline.tsx";
import type { UploadDecision } from "../p2p/upload_policy.ts";

/** Why P2P is or is not running for this viewer (the list reports are checked against). */
export type P2PStatus = ReportedP2PStatus;

/** Props of {@linkcode P2PPanel}. */
export interface P2PPanelProps {
  /** Live statistics. */
  stats: P2PStats;
  /** What P2P is doing. */
  status: ReadonlySignal<P2PStatus>;
  /** The viewer's P2P choice. */
  viewerEnabled: ReadonlySignal<boolean>;
  /** Flip the viewer's choice; absent when P2P cannot run here at all. */
  onToggle?: () => void;
  /** Whether this viewer uploads, and why; with the viewer's opt-in for metered lines. */
  upload?: {
    decision: ReadonlySignal<UploadDecision>;
    optedIn: ReadonlySignal<boolean>;
    onOptIn: () => void;
  };
  /** Start with the numbers folded away (phones: the video and the channels come first). */
  folded?: boolean;
  /** UI text. */
  t: Messages;
}

function statusText(status: P2PStatus, t: Messages): string {
  switch (status) {
    case "starting":
      return t.p2pStarting;
    case "active":
      return t.p2pActive;
    case "waiting":
      return t.p2pWaiting;
    case "operator":
      return t.p2pOffOperator;
    case "viewer":
      return t.p2pOffViewer;
    case "webrtc":
      return t.p2pOffWebRTC;
    case "tracker":
      return t.p2pOffTracker;
    case "native":
      return t.p2pOffNative;
    case "turn":
      return t.p2pOffTurn;
  }
}

/**
 * What P2P does for this viewer: peers, speeds, the P2P ratio, bytes by
 * source and a live chart. Every number is a signal read in place, so the
 * panel updates without re-rendering the player.
 */
export function P2PPanel(
  { stats, status, viewerEnabled, onToggle, upload, folded, t }: P2PPanelProps,
) {
  const ratio = stats.p2pRatio.value;
  const percent = Math.round(ratio * 100);
  const on = status.value === "active" || status.value === "waiting" ||
    status.value === "starting";
  return (
    <section
      class={`p2p-panel ${on ? "on" : "off"}`}
      aria-label={t.p2pTitle}
      data-status={status}
      data-peers={stats.peers.value.length}
      data-p2p-bytes={stats.p2pBytes}
      data-http-bytes={stats.httpBytes}
      data-uploaded-bytes={stats.uploadedBytes}
      data-p2p-ratio={ratio.toFixed(4)}
      data-upload={upload?.decision.value.reason}
    >
      <header>
        <span class={`dot ${on ? "on" : "off"}`} aria-hidden="true" />
        <p class="p2p-status" role="status">{statusText(status.value, t)}</p>
        {onToggle && (
          <label class="toggle">
            <input
              type="checkbox"
              checked={viewerEnabled.value}
              onChange={onToggle}
            />
            <span>{t.p2pToggle}</span>
          </label>
        )}
      </header>
      {on && viewerEnabled.value && upload && (
        <p class="upload-policy">
          {t.uploadPolicy[upload.decision.value.reason]}
          {(upload.optedIn.value || !upload.decision.value.upload) &&
            upload.decision.value.reason !== "hidden" && (
            <button type="button" onClick={upload.onOptIn}>
              {upload.optedIn.value ? t.uploadStop : t.uploadAnyway}
            </button>
          )}
        </p>
      )}
      <details class="p2p-details" open={!folded}>
        <summary>
          {t.p2pDetails} · {t.p2pRatio}: {percent}%
        </summary>
        <div class="ratio" title={`${t.p2pRatio}: ${percent}%`}>
          <div class="ratio-bar" style={{ width: `${percent}%` }} />
          <span class="ratio-label">
            {t.p2pRatio}: <strong>{percent}%</strong>
          </span>
        </div>
        <dl class="p2p-numbers">
          <div>
            <dt>{t.p2pPeers(stats.peers.value.length)}</dt>
            <dd class="peer-list">
              {stats.peers.value.slice(0, 4).map((id) => (
                <code key={id}>{id.slice(-6)}</code>
              ))}
            </dd>
          </div>
          <div>
            <dt>{t.p2pDown}</dt>
            <dd>{formatSpeed(stats.downSpeed.value)}</dd>
          </div>
          <div>
            <dt>{t.p2pUp}</dt>
            <dd>{formatSpeed(stats.upSpeed.value)}</dd>
          </div>
          <div>
            <dt>{t.p2pViaP2P}</dt>
            <dd class="bytes-p2p">{formatBytes(stats.p2pBytes.value)}</dd>
          </div>
          <div>
            <dt>{t.p2pViaHttp}</dt>
            <dd class="bytes-http">{formatBytes(stats.httpBytes.value)}</dd>
          </div>
          <div>
            <dt>{t.p2pUploaded}</dt>
            <dd>{formatBytes(stats.uploadedBytes.value)}</dd>
          </div>
          <div>
            <dt>{t.p2pSegments}</dt>
            <dd>{stats.p2pSegments}/{stats.httpSegments}</dd>
          </div>
        </dl>
        <Sparkline
          class="p2p-chart"
          slots={60}
          label={t.p2pChart}
          series={[
            {
              className: "line-http",
              values: stats.history.value.map((s) => s.http),
            },
            {
              className: "line-p2p",
              values: stats.history.value.map((s) => s.p2p),
            },
          ]}
        />
      </details>
    </section>
  );
}
