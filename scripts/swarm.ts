/**
 * The swarm benchmark: `deno task swarm [--network fiber] [--kind both]
 * [--viewers 4] [--stagger 3] [--watch 60] [--no-churn] [--instances 1]
 * [--json]`.
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
import { type NetworkProfile, profileNamed } from "./lab/profiles.ts";
import {
  compare,
  type Comparison,
  comparisonTable,
  targetLine,
  viewerTable,
} from "./lab/report.ts";
import { type RunOutcome, runScenario } from "./lab/scenario.ts";

interface Options {
  profile: NetworkProfile;
  kinds: Array<"vod" | "live">;
  viewers: number;
  stagger: number;
  watch: number;
  churn: boolean;
  instances: number;
  json: boolean;
  /** Write each P2P run's viewer event logs here. */
  trace?: string;
}

const USAGE =
  "deno task swarm [--network loopback|fiber|mixed|constrained] [--kind vod|live|both] [--viewers 2-10] [--stagger s] [--watch s] [--no-churn] [--instances 1-4] [--json] [--trace file]";

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
    kinds: ["vod", "live"],
    viewers: 4,
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
        options.viewers = integer(key, value, 2, 10);
      } else if (key === "trace") options.trace = value;
      else if (key === "stagger") options.stagger = integer(key, value, 0, 60);
      else if (key === "watch") options.watch = integer(key, value, 10, 600);
      else if (key === "instances") {
        options.instances = integer(key, value, 1, 4);
      } else throw new TypeError(`Unknown option --${key}\n${USAGE}`);
    }
  }
  if (options.churn && options.viewers < 4) {
    throw new RangeError(
      `--viewers ${options.viewers}: churn needs 4 or more (or --no-churn)`,
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
  };
}

async function run(options: Options): Promise<void> {
  log.setLevel("warn");
  const media = await ensureLabMedia();
  const p2pConfig = p2pConfigFromEnv((name) => Deno.env.get(name));
  const browser = await launchBrowser();
  const results: Record<
    string,
    { http: RunOutcome; p2p: RunOutcome; comparison: Comparison }
  > = {};
  try {
    for (const kind of options.kinds) {
      const scenario = {
        profile: options.profile,
        kind,
        media,
        viewers: options.viewers,
        staggerSeconds: options.stagger,
        // VOD viewers watch it all; live ones --watch seconds.
        watchSeconds: kind === "vod" ? media.seconds : options.watch,
        churn: options.churn,
        p2pConfig,
        instances: options.instances,
      };
      const trace = options.trace !== undefined;
      const http = await runScenario(browser, {
        ...scenario,
        p2p: false,
        trace,
      });
      const p2p = await runScenario(browser, { ...scenario, p2p: true, trace });
      if (options.trace) {
        await Deno.writeTextFile(
          options.trace.replace(/(\.json)?$/, `.${kind}.json`),
          JSON.stringify({
            viewers: p2p.viewers,
            traces: p2p.traces,
            http: { viewers: http.viewers, traces: http.traces },
          }),
        );
      }
      results[kind] = {
        http,
        p2p,
        comparison: compare(options.profile.name, kind, p2p, http),
      };
    }
  } finally {
    await browser.close();
  }
  if (options.json) {
    console.log(JSON.stringify(
      {
        profile: options.profile.name,
        description: options.profile.description,
        options: { ...options, profile: options.profile.name },
        media: { seconds: media.seconds, ladder: media.ladder },
        kinds: Object.fromEntries(
          Object.entries(results).map(([kind, r]) => [kind, {
            comparison: r.comparison,
            p2p: plain(r.p2p),
            http: plain(r.http),
          }]),
        ),
      },
      null,
      2,
    ));
    return;
  }
  console.log(
    `\n# Swarm lab: ${options.viewers} viewers, network "${options.profile.name}" (${options.profile.description})` +
      `\njoins every ${options.stagger} s${
        options.churn ? ", two crash mid-stream, one joins late" : ""
      }; VOD watched to the end (${media.seconds} s), live for ${options.watch} s; ladder ${
        media.ladder.map((r) =>
          `${r.name} ${((r.videoKbps + r.audioKbps) / 1000).toFixed(1)}`
        ).join(" / ")
      } Mbit/s${
        options.instances > 1
          ? `; ${options.instances} instances sharing one Redis`
          : ""
      }`,
  );
  for (const [kind, r] of Object.entries(results)) {
    console.log(`\n## ${kind === "vod" ? "VOD" : "Live"}\n`);
    console.log(comparisonTable(r.comparison));
    console.log(`\ntargets: ${targetLine(r.comparison)}`);
    console.log(`\nP2P run, per viewer:\n\n${viewerTable(r.p2p)}`);
    console.log(`\nHTTP-only run, per viewer:\n\n${viewerTable(r.http)}`);
  }
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
