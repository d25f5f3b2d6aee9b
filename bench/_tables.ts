/**
 * The benchmark's tables: one row per metric, ours against the reference
 * (or 2 instances against 1), with the ratio; Markdown, so the README can
 * quote them as they are.
 * @module
 */
import { quantile } from "./load.ts";

/** What one load run measured. */
export interface LoadFigures {
  exchangesPerSecond: number;
  cpuMsPer1000: number;
  /** CPU of helper processes (Redis) per 1000 exchanges. */
  helperCpuMsPer1000: number;
  p50: number;
  p99: number;
  timeouts: number;
  errors: number;
  /** Unloaded offer→answer round trips: same instance, or across instances. */
  probe: number[];
}

/** The mean of some figures. */
export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** One table row: a metric, both figures with their unit, and the ratio. */
export function row(
  label: string,
  ours: number,
  reference: number,
  unit: string,
  digits = 0,
): string {
  const ratio = ours / reference;
  return `| ${label} | ${ours.toFixed(digits)} ${unit} | ${
    reference.toFixed(digits)
  } ${unit} | ${Number.isFinite(ratio) ? ratio.toFixed(2) : "-"} |`;
}

/** The cluster row: 2 instances + Redis against 1 instance, same load. */
export function printClusterTable(
  cluster: LoadFigures[],
  single: LoadFigures[],
) {
  const avg = (runs: LoadFigures[], pick: (f: LoadFigures) => number) =>
    mean(runs.map(pick));
  console.log(
    "\nCluster: the same load spread over 2 RedFlix instances sharing one Redis " +
      "(about half the offers and answers cross instances), against 1 instance\n",
  );
  console.log("| metric | 2 instances + Redis | 1 instance | ratio |");
  console.log("| --- | --- | --- | --- |");
  console.log(row(
    "offer/answer exchanges per second",
    avg(cluster, (f) => f.exchangesPerSecond),
    avg(single, (f) => f.exchangesPerSecond),
    "/s",
  ));
  console.log(row(
    "tracker CPU per 1000 exchanges (all instances)",
    avg(cluster, (f) => f.cpuMsPer1000),
    avg(single, (f) => f.cpuMsPer1000),
    "ms",
    1,
  ));
  console.log(row(
    "same, Redis's CPU included",
    avg(cluster, (f) => f.cpuMsPer1000 + f.helperCpuMsPer1000),
    avg(single, (f) => f.cpuMsPer1000),
    "ms",
    1,
  ));
  for (
    const [label, pick] of [["p50", (f: LoadFigures) => f.p50], [
      "p99",
      (f: LoadFigures) => f.p99,
    ]] as const
  ) {
    console.log(
      row(
        `offer→answer round trip ${label}, under load`,
        avg(cluster, pick),
        avg(single, pick),
        "ms",
        1,
      ),
    );
  }
  const probes = (runs: LoadFigures[]) => runs.flatMap((f) => f.probe);
  for (const q of [0.5, 0.99]) {
    const across = quantile(probes(cluster), q);
    const alone = quantile(probes(single), q);
    const label = `p${q * 100}`;
    console.log(
      row(
        `offer→answer round trip ${label}, no load (across instances vs same)`,
        across,
        alone,
        "ms",
        2,
      ),
    );
    console.log(
      `| relay latency added, ${label} | ${
        (across - alone).toFixed(2)
      } ms | - | - |`,
    );
  }
}
