/**
 * The swarm benchmark: `deno task swarm [--network fiber] [--kind both]
 * [--viewers 4] [--light 0] [--stagger 3] [--watch 60] [--no-churn]
 * [--instances 1] [--json]`.
 *
 * For each kind (VOD, live) it runs the lab scenario twice under the same
 * network profile, first with P2P off (the HTTP-only baseline: it also
 * proves the machine sustains that many players), then with P2P on, and
 * prints both side by side as ratios, with the profile's targets checked.
 * Everything runs in a network namespace that has only loopback. P2P
 * settings come from the environment (`P2P_CORE_OPTIONS`…), as on a server.
 * See docs/performance.md.
 * @module
 */
import { launchBrowser } from "../tests/helpers/browser.ts";
import { IN_LOOPBACK_NAMESPACE } from "../tests/helpers/netns.ts";
import { p2pConfigFromEnv } from "../p2p/config.ts";
import { log } from "../utils/log.ts";
import { ensureLabMedia } from "./lab/media.ts";
import {
  type NetworkProfile,
  profileNamed,
  scaledProfile,
} from "./lab/profiles.ts";
import {
  abrTable,
  compare,
  compareAbr,
  compareLocality,
  comparisonTable,
  localityTable,
  viewerTable,
} from "./lab/report.ts";
import { type RunOutcome, runScenario } from "./lab/scenario.ts";
import { httpCauses, httpCausesTable } from "./lab/http_causes.ts";
import { MIN_CHURN_VIEWERS } from "./lab/churn.ts";

/** What a run sets against what. */
type Mode =
  | "http" // P2P against the same viewers over HTTP only
  | "locality" // nearby peers first against random choice (both P2P)
  | "abr"; // P2P-aware quality against hls.js's own (both P2P)

interface Options {
  profile: NetworkProfile;
  /** Bitrates and line rates times this (1: as the profile says). */
  scale: number;
  mode: Mode;
  kinds: Array<"vod" | "live">;
  viewers: number;
  /** Light viewers besides the players (scripts/lab/light_viewer.ts). */
  light: number;
  stagger: number;
  watch: number;
  churn: boolean;
  instances: number;
  json: boolean;
  /** Write each P2P run's viewer event logs here. */
  trace?: string;
}

const USAGE =
  "deno task swarm [--network loopback|fiber|mixed|dips|constrained|regions] [--kind vod|live|both] [--viewers 2-12] [--light 0-12] [--stagger s] [--watch s] [--no-churn] [--instances 1-4] [--scale 0.1-1] [--locality both] [--abr both] [--json] [--trace file]";

function integer(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
) {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`Invalid --${name}: ${raw} (${min}-${max})\n${USAGE}`);
  }
  return n;
}

function parseOptions(args: string[]): Options {
  const options: Options = {
    profile: profileNamed("loopback"),
    scale: 1,
    mode: "http",
    kinds: ["vod", "live"],
    viewers: 4,
    light: 0,
    stagger: 3,
    watch: 60,
    churn: true,
    instances: 1,
    json: false,
  };
  for (let i = 0; i < args.length; i++) {
    const key = args[i]!.replace(/^--/, "");
    if (key === "json") options.json = true;
    else if (key === "no-churn") options.churn = false;
    else {
      const value = args[++i];
      if (key === "network") options.profile = profileNamed(value ?? "");
      else if (key === "kind") {
        if (value !== "vod" && value !== "live" && value !== "both") {
          throw new TypeError(`Invalid --kind: ${value}\n${USAGE}`);
        }
        options.kinds = value === "both" ? ["vod", "live"] : [value];
      } else if (key === "viewers") {
        options.viewers = integer(key, value, 2, 12);
      } else if (key === "light") {
        options.light = integer(key, value, 0, 12);
      } else if (key === "scale") {
        const scale = Number(value);
        if (!(scale >= 0.1 && scale <= 1)) {
          throw new RangeError(`Invalid --scale: ${value} (0.1-1)\n${USAGE}`);
        }
        options.scale = scale;
      } else if (key === "locality" || key === "abr") {
        if (value !== "both") {
          throw new TypeError(
            `Invalid --${key}: ${value} (both: one run each way, side by side)\n${USAGE}`,
          );
        }
        options.mode = key;
      } else if (key === "trace") options.trace = value;
      else if (key === "stagger") options.stagger = integer(key, value, 0, 60);
      else if (key === "watch") options.watch = integer(key, value, 10, 600);
      else if (key === "instances") {
        options.instances = integer(key, value, 1, 4);
      } else throw new TypeError(`Unknown option --${key}\n${USAGE}`);
    }
  }
  if (options.churn && options.viewers < MIN_CHURN_VIEWERS) {
    throw new RangeError(
      `--viewers ${options.viewers}: churn needs ${MIN_CHURN_VIEWERS} or more (or --no-churn)`,
    );
  }
  return options;
}

/** A run for `--json`: figures, without the origin's per-segment map. */
function plain(run: RunOutcome) {
  return {
    viewers: run.viewers,
    origin: {
      bytes: run.origin.bytes,
      responses: run.origin.responses,
      segments: run.origin.segments.size,
    },
    links: run.links,
    seconds: run.seconds,
    ...(run.traces
      ? { httpCauses: httpCauses(run.viewers, run.traces).total }
      : {}),
  };
}

/** The two arms of a run: which settings each side takes, and their labels. */
function armsOf(mode: Mode, p2pConfig: ReturnType<typeof p2pConfigFromEnv>) {
  switch (mode) {
    case "http":
      return {
        test: { label: "P2P", p2p: true, p2pConfig },
        base: { label: "HTTP-only", p2p: false, p2pConfig },
      };
    case "locality":
      return {
        test: { label: "LOCALITY=on", p2p: true, p2pConfig, locality: true },
        base: { label: "LOCALITY=off", p2p: true, p2pConfig, locality: false },
      };
    case "abr":
      return {
        test: {
          label: "P2P_ABR=p2p",
          p2p: true,
          p2pConfig: { ...p2pConfig, abr: "p2p" as const },
        },
        base: {
          label: "P2P_ABR=stock",
          p2p: true,
          p2pConfig: { ...p2pConfig, abr: "stock" as const },
        },
      };
  }
}

/** One kind's runs and what they compare to. */
interface KindResult {
  test: RunOutcome;
  base: RunOutcome;
  table: string;
  targets: Array<{ name: string; met: boolean }>;
  comparison: unknown;
}

function compareArms(
  options: Options,
  kind: "vod" | "live",
  test: RunOutcome,
  base: RunOutcome,
): Omit<KindResult, "test" | "base"> {
  if (options.mode === "locality") {
    const c = compareLocality(test, base);
    return { table: localityTable(c), targets: c.targets, comparison: c };
  }
  if (options.mode === "abr") {
    const c = compareAbr(test, base);
    return { table: abrTable(c), targets: c.targets, comparison: c };
  }
  const c = compare(options.profile.name, kind, test, base);
  return { table: comparisonTable(c), targets: c.targets, comparison: c };
}

async function run(options: Options): Promise<void> {
  log.setLevel("warn");
  const media = await ensureLabMedia({ scale: options.scale });
  const profile = scaledProfile(options.profile, options.scale);
  const arms = armsOf(
    options.mode,
    p2pConfigFromEnv((name) => Deno.env.get(name)),
  );
  const browser = await launchBrowser();
  const results: Record<string, KindResult> = {};
  try {
    for (const kind of options.kinds) {
      const scenario = {
        profile,
        kind,
        media,
        viewers: options.viewers,
        light: options.light,
        staggerSeconds: options.stagger,
        // VOD viewers watch it all; live ones --watch seconds.
        watchSeconds: kind === "vod" ? media.seconds : options.watch,
        churn: options.churn,
        instances: options.instances,
        trace: options.trace !== undefined,
      };
      const base = await runScenario(browser, { ...scenario, ...arms.base });
      const test = await runScenario(browser, { ...scenario, ...arms.test });
      if (options.trace) {
        await Deno.writeTextFile(
          options.trace.replace(/(\.json)?$/, `.${kind}.json`),
          JSON.stringify({
            viewers: test.viewers,
            traces: test.traces,
            links: test.links,
            base: {
              viewers: base.viewers,
              traces: base.traces,
              links: base.links,
            },
          }),
        );
      }
      results[kind] = { test, base, ...compareArms(options, kind, test, base) };
    }
  } finally {
    await browser.close();
  }
  if (options.json) {
    console.log(JSON.stringify(
      {
        profile: options.profile.name,
        description: profile.description,
        options: { ...options, profile: options.profile.name },
        arms: { test: arms.test.label, base: arms.base.label },
        media: { seconds: media.seconds, ladder: media.ladder },
        kinds: Object.fromEntries(
          Object.entries(results).map(([kind, r]) => [kind, {
            comparison: r.comparison,
            targets: r.targets,
            test: plain(r.test),
            base: plain(r.base),
          }]),
        ),
      },
      null,
      2,
    ));
    return;
  }
  console.log(
    `\n# Swarm lab: ${options.viewers} viewers${
      options.light ? ` and ${options.light} light viewers (no video)` : ""
    }, network "${options.profile.name}" (${profile.description}); ${arms.test.label} against ${arms.base.label}` +
      `\njoins every ${options.stagger} s${
        options.churn ? ", two crash mid-stream, one joins late" : ""
      }; VOD watched to the end (${media.seconds} s), live for ${options.watch} s; ladder ${
        media.ladder.map((r) =>
          `${r.name} ${((r.videoKbps + r.audioKbps) / 1000).toFixed(2)}`
        ).join(" / ")
      } Mbit/s${
        options.instances > 1
          ? `; ${options.instances} instances sharing one Redis`
          : ""
      }`,
  );
  for (const [kind, r] of Object.entries(results)) {
    console.log(`\n## ${kind === "vod" ? "VOD" : "Live"}\n`);
    console.log(r.table);
    console.log(
      `\ntargets: ${
        r.targets.map((t) => `${t.met ? "✓" : "✗"} ${t.name}`).join(" · ")
      }`,
    );
    console.log(
      `\n${arms.test.label} run, per viewer:\n\n${viewerTable(r.test)}`,
    );
    printHttpCauses(arms.test.label, r.test);
    console.log(
      `\n${arms.base.label} run, per viewer:\n\n${viewerTable(r.base)}`,
    );
    // An HTTP-only baseline has no P2P engine to trace.
    if (options.mode !== "http") printHttpCauses(arms.base.label, r.base);
  }
}

/** With `--trace`: why each of a run's HTTP segments came from the origin. */
function printHttpCauses(label: string, run: RunOutcome): void {
  if (!run.traces) return;
  const table = httpCausesTable(
    httpCauses(run.viewers, run.traces),
    run.viewers.map((v) => v.line),
  );
  console.log(
    `\n${label} run, why segments came over HTTP (from the traces):\n\n${table}`,
  );
}

if (import.meta.main) {
  let options: Options;
  try {
    options = parseOptions(Deno.args);
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(2);
  }
  if (IN_LOOPBACK_NAMESPACE) {
    await run(options);
  } else {
    // Re-run inside a network namespace with only loopback: ICE can use nothing else.
    const { code } = await new Deno.Command("unshare", {
      args: [
        "-rn",
        "sh",
        "-c",
        'ip link set lo up && exec "$@"',
        "swarm",
        Deno.execPath(),
        "run",
        "-A",
        new URL(import.meta.url).pathname,
        ...Deno.args,
      ],
      env: { REDFLIX_LOOPBACK_NAMESPACE: "1" },
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    Deno.exit(code);
  }
}
