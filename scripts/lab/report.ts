/**
 * The lab's figures: a run's totals (origin sends per segment, offload
 * against its limit, start-up, stalls, played bitrate), P2P set against
 * the HTTP-only baseline of the same profile as ratios, the issue's
 * targets checked, and the Markdown tables `deno task swarm` prints.
 * @module
 */
import type { RunOutcome, ViewerOutcome } from "./scenario.ts";
import { MACHINE_BOUND_LOAD } from "./cpu_load.ts";

/** A run's totals. */
export interface RunTotals {
  /** Viewers in the run, light ones included. */
  viewers: number;
  /** Media bytes the origin sent. */
  originBytes: number;
  /** Bytes of the distinct segments viewers asked for: one send of each. */
  distinctBytes: number;
  /** Origin bytes per distinct segment byte: 1.00 is one copy of each segment. */
  sendsPerSegment: number;
  /** Bytes viewers received, from the origin and from peers. */
  deliveredBytes: number;
  /** Share of delivered bytes the origin did not send. */
  offload: number;
  /** The best offload this run allowed: each segment sent once. */
  offloadLimit: number;
  /** Median time to first frame (ms). */
  medianTtffMs: number;
  /** Worst time to first frame (ms). */
  worstTtffMs: number;
  /** Viewers that never showed a frame. */
  neverStarted: number;
  /** Stalls, all viewers. */
  stalls: number;
  /** Seconds stalled, all viewers. */
  stallSeconds: number;
  /** Mean bitrate on screen, weighted by seconds played (kbit/s). */
  meanKbps: number;
  /** Rendition switches, all viewers. */
  switches: number;
  /** Seconds buffered ahead, median of every player's samples (see `aheadSamples`). */
  aheadMedianS: number;
  /** ...and their 10th percentile: how thin the buffer gets. */
  aheadP10S: number;
  /** Mean share of the machine's CPU in use (0–1). */
  cpuLoad: number;
}

/** P2P against HTTP-only, same profile and scenario. */
export interface Comparison {
  /** The P2P run. */
  p2p: RunTotals;
  /** The HTTP-only run. */
  http: RunTotals;
  /** Origin bytes, P2P / HTTP-only. */
  originRatio: number;
  /** Median start-up, P2P − HTTP-only (ms). */
  ttffDeltaMs: number;
  /** Played bitrate, P2P / HTTP-only. */
  bitrateRatio: number;
  /** Each target of the profile, met or not. */
  targets: Array<{ name: string; met: boolean }>;
}

/** The `share` quantile of `values` (0.5: the median), NaN if none. */
const quantile = (values: number[], share: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length * share)]! : NaN;
};
const median = (values: number[]) => quantile(values, 0.5);

/**
 * Sum up a run: bytes over every viewer, what viewers saw (start-up,
 * stalls, bitrate, switches) over the real players only, since a light
 * viewer shows no video.
 */
export function totals(run: RunOutcome): RunTotals {
  const all = run.viewers;
  const viewers = all.filter((v) => !v.light);
  const sumOf = (of: ViewerOutcome[], pick: (v: ViewerOutcome) => number) =>
    of.reduce((total, v) => total + pick(v), 0);
  const sum = (pick: (v: ViewerOutcome) => number) => sumOf(viewers, pick);
  let distinctBytes = 0;
  for (const segment of run.origin.segments.values()) {
    distinctBytes += segment.bytes;
  }
  const deliveredBytes = sumOf(all, (v) => v.httpBytes + v.p2pBytes);
  const started = viewers.flatMap((v) => v.ttffMs === null ? [] : [v.ttffMs]);
  const played = sum((v) => v.playedSeconds);
  const ahead = viewers.flatMap((v) => v.aheadSamples);
  return {
    viewers: all.length,
    originBytes: run.origin.bytes,
    distinctBytes,
    sendsPerSegment: distinctBytes ? run.origin.bytes / distinctBytes : 0,
    deliveredBytes,
    offload: deliveredBytes ? 1 - run.origin.bytes / deliveredBytes : 0,
    offloadLimit: deliveredBytes ? 1 - distinctBytes / deliveredBytes : 0,
    medianTtffMs: median(started),
    worstTtffMs: started.length ? Math.max(...started) : NaN,
    neverStarted: viewers.length - started.length,
    stalls: sum((v) => v.stalls),
    stallSeconds: sum((v) => v.stallSeconds),
    meanKbps: played ? sum((v) => v.meanKbps * v.playedSeconds) / played : 0,
    switches: sum((v) => v.switches),
    aheadMedianS: median(ahead),
    aheadP10S: quantile(ahead, 0.1),
    cpuLoad: run.cpuLoad,
  };
}

/** The issue's targets for a profile (none for `loopback`). */
function targetsOf(
  profile: string,
  kind: "vod" | "live",
  p2p: RunTotals,
  http: RunTotals,
): Array<{ name: string; met: boolean }> {
  const noWorse = [
    {
      name: "stalls ≤ HTTP-only",
      met: p2p.stalls <= http.stalls &&
        p2p.stallSeconds <= http.stallSeconds + 0.5,
    },
    { name: "all viewers started", met: p2p.neverStarted === 0 },
  ];
  if (profile === "fiber") {
    const limit = kind === "vod" ? 1.3 : 1.5;
    return [
      { name: `sends/segment ≤ ${limit}`, met: p2p.sendsPerSegment <= limit },
      { name: "no stall", met: p2p.stalls === 0 },
      {
        name: "bitrate ≥ HTTP-only",
        met: p2p.meanKbps >= http.meanKbps * 0.995,
      },
      {
        name: "start-up ≤ HTTP-only + 300 ms",
        met: p2p.medianTtffMs <= http.medianTtffMs + 300,
      },
      ...noWorse,
    ];
  }
  // `dips` is `mixed` with 4G lines that stop now and then: never worse.
  if (profile === "mixed" || profile === "constrained" || profile === "dips") {
    return [
      ...(profile === "mixed"
        ? [{ name: "offload ≥ 60 %", met: p2p.offload >= 0.6 }]
        : []),
      ...noWorse,
      {
        name: "bitrate ≥ 0.95 × HTTP-only",
        met: p2p.meanKbps >= http.meanKbps * 0.95,
      },
      {
        name: "start-up ≤ HTTP-only + 500 ms",
        met: p2p.medianTtffMs <= http.medianTtffMs + 500,
      },
    ];
  }
  return noWorse;
}

/** Set a P2P run against its HTTP-only baseline. */
export function compare(
  profile: string,
  kind: "vod" | "live",
  p2pRun: RunOutcome,
  httpRun: RunOutcome,
): Comparison {
  const p2p = totals(p2pRun);
  const http = totals(httpRun);
  return {
    p2p,
    http,
    originRatio: p2p.originBytes / http.originBytes,
    ttffDeltaMs: p2p.medianTtffMs - http.medianTtffMs,
    bitrateRatio: p2p.meanKbps / http.meanKbps,
    targets: targetsOf(profile, kind, p2p, http),
  };
}

const MB = (bytes: number) => (bytes / 1e6).toFixed(1);
const pct = (share: number) => `${(share * 100).toFixed(0)} %`;

/** The per-viewer table of a run (Markdown). */
export function viewerTable(run: RunOutcome): string {
  const rows = run.viewers.map((v, i) => {
    const total = v.httpBytes + v.p2pBytes;
    const role = v.crashed ? " (crashed)" : v.light ? " (light)" : "";
    return `| ${i + 1}${role} | ${v.line} | ${v.joinedAt.toFixed(0)} s | ${
      v.ttffMs === null ? "never" : `${v.ttffMs.toFixed(0)} ms`
    } | ${v.stalls} / ${v.stallSeconds.toFixed(1)} s | ${
      v.playedSeconds.toFixed(0)
    } s | ${v.meanKbps.toFixed(0)} | ${v.switches} | ${MB(v.httpBytes)} | ${
      MB(v.p2pBytes)
    } | ${MB(v.uploadedBytes)} | ${total ? pct(v.p2pBytes / total) : "-"} | ${
      v.aheadSamples.length ? `${median(v.aheadSamples).toFixed(1)} s` : "-"
    } |`;
  });
  return [
    "| viewer | line | joined | start-up | stalls / time | played | kbit/s | switches | HTTP MB | P2P MB | up MB | P2P share | ahead, median |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** The side-by-side table of a comparison (Markdown). */
export function comparisonTable(c: Comparison): string {
  const line = (label: string, p2p: string, http: string, ratio: string) =>
    `| ${label} | ${p2p} | ${http} | ${ratio} |`;
  const { p2p, http } = c;
  return [
    "| | P2P | HTTP-only | P2P vs HTTP-only |",
    "| --- | --- | --- | --- |",
    line(
      "origin sent",
      `${MB(p2p.originBytes)} MB`,
      `${MB(http.originBytes)} MB`,
      `× ${c.originRatio.toFixed(2)}`,
    ),
    line(
      "sends per segment",
      p2p.sendsPerSegment.toFixed(2),
      http.sendsPerSegment.toFixed(2),
      "",
    ),
    line(
      "offload (limit)",
      `${pct(p2p.offload)} (${pct(p2p.offloadLimit)})`,
      `${pct(http.offload)}`,
      "",
    ),
    line(
      "start-up, median (worst)",
      `${p2p.medianTtffMs.toFixed(0)} (${p2p.worstTtffMs.toFixed(0)}) ms`,
      `${http.medianTtffMs.toFixed(0)} (${http.worstTtffMs.toFixed(0)}) ms`,
      `${c.ttffDeltaMs >= 0 ? "+" : ""}${c.ttffDeltaMs.toFixed(0)} ms`,
    ),
    line(
      "stalls / time",
      `${p2p.stalls} / ${p2p.stallSeconds.toFixed(1)} s`,
      `${http.stalls} / ${http.stallSeconds.toFixed(1)} s`,
      "",
    ),
    line(
      "played bitrate",
      `${p2p.meanKbps.toFixed(0)} kbit/s`,
      `${http.meanKbps.toFixed(0)} kbit/s`,
      `× ${c.bitrateRatio.toFixed(2)}`,
    ),
    line("rendition switches", String(p2p.switches), String(http.switches), ""),
    line(
      "buffer ahead, median (10th pct)",
      `${p2p.aheadMedianS.toFixed(1)} (${p2p.aheadP10S.toFixed(1)}) s`,
      `${http.aheadMedianS.toFixed(1)} (${http.aheadP10S.toFixed(1)}) s`,
      "",
    ),
    line(
      "machine CPU in use",
      `${pct(p2p.cpuLoad)}${p2p.cpuLoad > MACHINE_BOUND_LOAD ? " ⚠" : ""}`,
      `${pct(http.cpuLoad)}${http.cpuLoad > MACHINE_BOUND_LOAD ? " ⚠" : ""}`,
      p2p.cpuLoad > MACHINE_BOUND_LOAD || http.cpuLoad > MACHINE_BOUND_LOAD
        ? "⚠ bound by this machine"
        : "",
    ),
  ].join("\n");
}

/** The targets as one line: `✓ name · ✗ name`. */
export function targetLine(c: Comparison): string {
  return c.targets.map((t) => `${t.met ? "✓" : "✗"} ${t.name}`).join(" · ");
}

/** Where a run's P2P bytes came from, with regions (the `regions` profile). */
export interface LocalityTotals {
  /** Relayed bytes received from a peer of the same region. */
  sameRegionBytes: number;
  /** Relayed bytes received from a peer of another region. */
  crossRegionBytes: number;
  /** Share of relayed bytes that crossed regions. */
  crossShare: number;
  /** Median ms from a viewer's join to its first byte from a peer (viewers that got one). */
  medianFirstP2PMs: number;
}

/** Sum up where a run's P2P bytes crossed regions. */
export function localityTotals(run: RunOutcome): LocalityTotals {
  let same = 0;
  let cross = 0;
  for (const link of run.links ?? []) {
    same += link.p2pSameRegionBytes;
    cross += link.p2pCrossRegionBytes;
  }
  return {
    sameRegionBytes: same,
    crossRegionBytes: cross,
    crossShare: same + cross ? cross / (same + cross) : 0,
    medianFirstP2PMs: median(
      run.viewers.flatMap((v) => v.firstP2PMs === null ? [] : [v.firstP2PMs]),
    ),
  };
}

/** Nearby-first against random choice, same scenario. */
export interface LocalityComparison {
  /** `LOCALITY=on`. */
  on: RunTotals & LocalityTotals;
  /** `LOCALITY=off`. */
  off: RunTotals & LocalityTotals;
  /** The issue's targets, met or not. */
  targets: Array<{ name: string; met: boolean }>;
}

/** Set a run with locality on against one with it off. */
export function compareLocality(
  onRun: RunOutcome,
  offRun: RunOutcome,
): LocalityComparison {
  const on = { ...totals(onRun), ...localityTotals(onRun) };
  const off = { ...totals(offRun), ...localityTotals(offRun) };
  return {
    on,
    off,
    targets: [
      { name: "P2P bytes across regions ≤ 20 %", met: on.crossShare <= 0.2 },
      {
        // Two runs of real players differ by a point or two on their own.
        name: "offload no worse than random (±2 points)",
        met: on.offload >= off.offload - 0.02,
      },
      {
        name: "stalls no worse than random",
        met: on.stalls <= off.stalls &&
          on.stallSeconds <= off.stallSeconds + 0.5,
      },
      {
        name: "first P2P byte sooner than random (median)",
        met: on.medianFirstP2PMs < off.medianFirstP2PMs,
      },
    ],
  };
}

/** The side-by-side table of locality on and off (Markdown). */
export function localityTable(c: LocalityComparison): string {
  const row = (label: string, on: string, off: string) =>
    `| ${label} | ${on} | ${off} |`;
  const { on, off } = c;
  return [
    "| | nearby first (LOCALITY=on) | random (LOCALITY=off) |",
    "| --- | --- | --- |",
    row("P2P bytes across regions", pct(on.crossShare), pct(off.crossShare)),
    row(
      "first byte from a peer, median",
      `${on.medianFirstP2PMs.toFixed(0)} ms`,
      `${off.medianFirstP2PMs.toFixed(0)} ms`,
    ),
    row(
      "offload (limit)",
      `${pct(on.offload)} (${pct(on.offloadLimit)})`,
      `${pct(off.offload)} (${pct(off.offloadLimit)})`,
    ),
    row(
      "sends per segment",
      on.sendsPerSegment.toFixed(2),
      off.sendsPerSegment.toFixed(2),
    ),
    row(
      "stalls / time",
      `${on.stalls} / ${on.stallSeconds.toFixed(1)} s`,
      `${off.stalls} / ${off.stallSeconds.toFixed(1)} s`,
    ),
    row(
      "start-up, median",
      `${on.medianTtffMs.toFixed(0)} ms`,
      `${off.medianTtffMs.toFixed(0)} ms`,
    ),
    row("machine CPU in use", pct(on.cpuLoad), pct(off.cpuLoad)),
  ].join("\n");
}

/** P2P-aware quality against hls.js's own, same scenario (both P2P). */
export interface AbrComparison {
  /** `P2P_ABR=p2p`. */
  p2p: RunTotals;
  /** `P2P_ABR=stock`. */
  stock: RunTotals;
  /** Origin bytes, P2P-aware / stock. */
  originRatio: number;
  /** Mean played bitrate, P2P-aware / stock. */
  bitrateRatio: number;
  /** Rendition switches per viewer-minute played. */
  switchesPerMinute: { p2p: number; stock: number };
  /** The issue's targets, met or not. */
  targets: Array<{ name: string; met: boolean }>;
}

/** Switches per minute of media played, all viewers. */
function switchRate(run: RunOutcome): number {
  const minutes = run.viewers.reduce((sum, v) => sum + v.playedSeconds, 0) /
    60;
  return minutes
    ? run.viewers.reduce((sum, v) => sum + v.switches, 0) / minutes
    : 0;
}

/** Set a run with the P2P-aware quality choice against one with hls.js's own. */
export function compareAbr(
  p2pRun: RunOutcome,
  stockRun: RunOutcome,
): AbrComparison {
  const p2p = totals(p2pRun);
  const stock = totals(stockRun);
  const switchesPerMinute = {
    p2p: switchRate(p2pRun),
    stock: switchRate(stockRun),
  };
  const originRatio = p2p.originBytes / stock.originBytes;
  const bitrateRatio = p2p.meanKbps / stock.meanKbps;
  return {
    p2p,
    stock,
    originRatio,
    bitrateRatio,
    switchesPerMinute,
    targets: [
      { name: "origin ≤ 0.7 × stock", met: originRatio <= 0.7 },
      { name: "played bitrate ≥ 0.95 × stock", met: bitrateRatio >= 0.95 },
      {
        name: "stalls and stall time ≤ stock",
        met: p2p.stalls <= stock.stalls &&
          p2p.stallSeconds <= stock.stallSeconds + 0.5,
      },
      {
        name: "switches per viewer-minute ≤ stock",
        met: switchesPerMinute.p2p <= switchesPerMinute.stock,
      },
    ],
  };
}

/** The side-by-side table of the two quality choices (Markdown). */
export function abrTable(c: AbrComparison): string {
  const row = (label: string, p2p: string, stock: string, ratio = "") =>
    `| ${label} | ${p2p} | ${stock} | ${ratio} |`;
  const { p2p, stock } = c;
  return [
    "| | P2P-aware (P2P_ABR=p2p) | hls.js alone (P2P_ABR=stock) | ratio |",
    "| --- | --- | --- | --- |",
    row(
      "origin sent",
      `${MB(p2p.originBytes)} MB`,
      `${MB(stock.originBytes)} MB`,
      `× ${c.originRatio.toFixed(2)}`,
    ),
    row("offload", pct(p2p.offload), pct(stock.offload)),
    row(
      "played bitrate",
      `${p2p.meanKbps.toFixed(0)} kbit/s`,
      `${stock.meanKbps.toFixed(0)} kbit/s`,
      `× ${c.bitrateRatio.toFixed(2)}`,
    ),
    row(
      "stalls / time",
      `${p2p.stalls} / ${p2p.stallSeconds.toFixed(1)} s`,
      `${stock.stalls} / ${stock.stallSeconds.toFixed(1)} s`,
    ),
    row(
      "switches per viewer-minute",
      c.switchesPerMinute.p2p.toFixed(2),
      c.switchesPerMinute.stock.toFixed(2),
    ),
    row(
      "start-up, median",
      `${p2p.medianTtffMs.toFixed(0)} ms`,
      `${stock.medianTtffMs.toFixed(0)} ms`,
    ),
    row("machine CPU in use", pct(p2p.cpuLoad), pct(stock.cpuLoad)),
  ].join("\n");
}
