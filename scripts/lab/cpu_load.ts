/**
 * How busy the machine was during a lab run: the share of all cores spent
 * outside idle, from `/proc/stat` (Linux, as the lab is). Every player, the
 * relay and the lab's own links share this machine, while real viewers
 * each have their own device: a run above ~85 % measures the machine as
 * much as the network, and the report says so.
 * @module
 */

/** Busy and total jiffies of all cores since boot. */
function readTimes(): { busy: number; total: number } {
  const line = Deno.readTextFileSync("/proc/stat").split("\n")[0]!;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** Start measuring; the returned function gives the mean busy share (0–1) since. */
export function measureCpuLoad(): () => number {
  const start = readTimes();
  return () => {
    const end = readTimes();
    const total = end.total - start.total;
    return total > 0 ? (end.busy - start.busy) / total : 0;
  };
}

/** The load above which a run is reported as bound by the machine. */
export const MACHINE_BOUND_LOAD = 0.85;
