/**
 * The Prometheus text exposition format (version 0.0.4) for `GET /metrics`:
 * tracker gauges and counters, and player-reported P2P figures per channel.
 * @module
 */
import type { GuideState } from "../channels/guide_service.ts";
import type { TrackerStats } from "../tracker/mod.ts";
import type { FiguresSnapshot } from "./figures.ts";

type Labels = Record<string, string>;

/** Escape a label value: backslash, double quote and newline. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(
    /\n/g,
    "\\n",
  );
}

class Exposition {
  #lines: string[] = [];

  metric(
    name: string,
    type: "gauge" | "counter",
    help: string,
    samples: Array<[Labels, number]>,
  ): void {
    this.#lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const pairs = Object.entries(labels).map(([k, v]) =>
        `${k}="${escapeLabel(v)}"`
      );
      this.#lines.push(
        `${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${
          Number.isFinite(value) ? value : 0
        }`,
      );
    }
  }

  toString(): string {
    return this.#lines.join("\n") + "\n";
  }
}

/** Render the metrics. */
export function formatMetrics(
  tracker: TrackerStats,
  p2p: FiguresSnapshot,
  guide?: GuideState,
): string {
  const out = new Exposition();
  out.metric("redflix_tracker_peers", "gauge", "Peers in all swarms.", [[
    {},
    tracker.peers,
  ]]);
  out.metric("redflix_tracker_swarms", "gauge", "Swarms.", [[
    {},
    tracker.swarms,
  ]]);
  out.metric(
    "redflix_tracker_connections",
    "gauge",
    "Open tracker WebSocket connections.",
    [[{}, tracker.connections]],
  );
  out.metric(
    "redflix_tracker_messages_received_total",
    "counter",
    "Frames received by the tracker, by kind.",
    Object.entries(tracker.messages.in).map(([kind, n]) => [{ kind }, n]),
  );
  out.metric(
    "redflix_tracker_messages_sent_total",
    "counter",
    "Frames sent by the tracker, by kind.",
    Object.entries(tracker.messages.out).map(([kind, n]) => [{ kind }, n]),
  );
  out.metric(
    "redflix_tracker_refused_total",
    "counter",
    "Requests the tracker refused, by rule.",
    Object.entries(tracker.refused).map(([rule, n]) => [{ rule }, n]),
  );
  out.metric(
    "redflix_tracker_offers_by_locality_total",
    "counter",
    "Offers relayed, by how near their recipient was chosen (prefix, network, region, random).",
    Object.entries(tracker.locality).map(([match, n]) => [{ match }, n]),
  );
  out.metric(
    "redflix_tracker_rate_limited_total",
    "counter",
    "Messages dropped by the rate limit.",
    [[
      {},
      tracker.rateLimited,
    ]],
  );
  out.metric(
    "redflix_tracker_relay_failures_total",
    "counter",
    "Relays whose recipient was gone or unknown.",
    [[
      {},
      tracker.relayFailures,
    ]],
  );
  out.metric(
    "redflix_tracker_offers_held_total",
    "counter",
    "Offers held back because their two peers were already connecting to each other.",
    [[{}, tracker.offersHeld]],
  );
  const channels = Object.entries(p2p.channels);
  out.metric(
    "redflix_viewers",
    "gauge",
    "Players reporting now, by channel.",
    channels.map(([c, f]) => [{ channel: c }, f.viewers]),
  );
  out.metric(
    "redflix_viewers_without_p2p",
    "gauge",
    "Players reporting now that have no P2P, by channel and reason (operator, viewer, webrtc, native, tracker).",
    channels.flatMap(([c, f]) =>
      Object.entries(f.noP2P).map(([reason, n]) =>
        [{ channel: c, reason }, n] as [Labels, number]
      )
    ),
  );
  out.metric(
    "redflix_viewers_not_uploading",
    "gauge",
    "Players with P2P that download from peers but upload nothing, by channel and reason (cellular, save-data, battery, hidden).",
    channels.flatMap(([c, f]) =>
      Object.entries(f.noUpload).map(([reason, n]) =>
        [{ channel: c, reason }, n] as [Labels, number]
      )
    ),
  );
  out.metric(
    "redflix_delivered_bytes_total",
    "counter",
    "Bytes players whose bytes are known downloaded, by channel and source (http: the origin, p2p: other viewers).",
    channels.flatMap((
      [c, f],
    ) => [[{ channel: c, source: "http" }, f.httpBytes], [{
      channel: c,
      source: "p2p",
    }, f.p2pBytes]]),
  );
  out.metric(
    "redflix_uploaded_bytes_total",
    "counter",
    "Bytes players sent to other viewers, by channel.",
    channels.map(([c, f]) => [{ channel: c }, f.uploadedBytes]),
  );
  out.metric(
    "redflix_origin_offload_ratio",
    "gauge",
    "Share of delivered bytes (of players whose bytes are known) that came from peers, by channel (0..1).",
    channels.map(([c, f]) => [{ channel: c }, f.offload]),
  );
  out.metric(
    "redflix_stalls_total",
    "counter",
    "Playback stalls, by channel.",
    channels.map(([c, f]) => [{ channel: c }, f.stalls]),
  );
  out.metric(
    "redflix_time_to_first_frame_seconds",
    "gauge",
    "Mean time to first frame, by channel.",
    channels.filter(([, f]) => f.avgTtffMs !== null).map((
      [c, f],
    ) => [{ channel: c }, f.avgTtffMs! / 1000]),
  );
  if (guide && guide.sources > 0) {
    out.metric("redflix_epg_sources", "gauge", "Program guide sources.", [[
      {},
      guide.sources,
    ]]);
    out.metric(
      "redflix_epg_sources_failing",
      "gauge",
      "Guide sources whose last refresh failed (their last good guide is kept).",
      [[{}, guide.failing]],
    );
    out.metric(
      "redflix_epg_channels",
      "gauge",
      "Channels with programmes.",
      [[{}, guide.channels]],
    );
    out.metric("redflix_epg_programmes", "gauge", "Programmes kept.", [[
      {},
      guide.programmes,
    ]]);
    if (guide.lastSuccessAt !== undefined) {
      out.metric(
        "redflix_epg_last_success_timestamp_seconds",
        "gauge",
        "When every guide source last refreshed without error.",
        [[{}, Math.floor(guide.lastSuccessAt / 1000)]],
      );
    }
  }
  return out.toString();
}
