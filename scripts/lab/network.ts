/**
 * The lab network: every viewer's shaped access ({@linkcode ViewerAccess})
 * in a process of its own, so forwarding packets never waits on the app,
 * the browsers' driver or the report. {@linkcode startLabNetwork} starts
 * it and talks to it over stdin/stdout, one JSON line each way.
 * @module
 */
import { type AccessCounters, ViewerAccess } from "./access_proxy.ts";
import type { Access } from "./profiles.ts";
import { TurnPeers } from "./turn_peers.ts";

/** What the lab network is asked to build. */
export interface LabNetworkConfig {
  /** coturn's UDP port on 127.0.0.1, if P2P goes through the lab. */
  turnPort?: number;
  /** One entry per viewer: its own loopback address, its access, its origin's port and its region. */
  viewers: Array<
    { address: string; access: Access; originPort: number; region?: number }
  >;
  /** One-way delay between viewers of different regions (ms); regions need coturn. */
  interRegionDelayMs?: number;
}

/** A viewer's entries into the lab. */
export interface ViewerEntry {
  /** Open `http://127.0.0.1:<httpPort>/…` to reach the origin through the viewer's links. */
  httpPort: number;
  /** Send TURN to `127.0.0.1:<turnPort>` (0 without coturn). */
  turnPort: number;
}

/** A running lab network. */
export interface LabNetwork {
  /** Each viewer's entries, in the order of the config. */
  viewers: ViewerEntry[];
  /** What each viewer's links carried so far. */
  counters(): Promise<AccessCounters[]>;
  /** Stop it. */
  close(): Promise<void>;
}

/** The loopback address of viewer `index` in `region` (both from 0). */
export function viewerAddress(index: number, region = 0): string {
  if (index < 0 || index > 253 || region < 0 || region > 254) {
    throw new RangeError(
      `No lab address for viewer ${index} in region ${region}`,
    );
  }
  return `127.0.${region + 1}.${index + 1}`;
}

async function* lines(stream: ReadableStream<Uint8Array>) {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffered.indexOf("\n")) >= 0) {
      yield buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
    }
  }
}

/** Start the lab network in a child process; resolves once every entry listens. */
export async function startLabNetwork(
  config: LabNetworkConfig,
): Promise<LabNetwork> {
  const child = new Deno.Command(Deno.execPath(), {
    // --unstable-net: Deno.listenDatagram (see access_proxy.ts).
    args: ["run", "-A", "--unstable-net", new URL(import.meta.url).pathname],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const send = (message: unknown) =>
    writer.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
  const replies = lines(child.stdout);
  const next = async () => {
    const { value, done } = await replies.next();
    if (done) throw new Error("The lab network exited");
    return JSON.parse(value);
  };
  await send(config);
  const ready = await next() as { viewers: ViewerEntry[] };
  return {
    viewers: ready.viewers,
    async counters() {
      await send("counters");
      return await next() as AccessCounters[];
    },
    async close() {
      await writer.close().catch(() => {});
      await child.status;
      // Drain what is left so the stream closes.
      while (!(await replies.next()).done);
    },
  };
}

/** The child: build the accesses, then answer `"counters"` until stdin closes. */
async function serve(): Promise<void> {
  const requests = lines(Deno.stdin.readable);
  const first = await requests.next();
  if (first.done) return;
  const config = JSON.parse(first.value) as LabNetworkConfig;
  const peers = new TurnPeers();
  const regionOf = (index: number) => config.viewers[index]?.region;
  const accesses = config.viewers.map(
    ({ address, access, originPort, region }, index) =>
      new ViewerAccess(
        address,
        access,
        { originPort, turnPort: config.turnPort },
        region === undefined ? undefined : {
          index,
          region,
          regionOf,
          interRegionDelayMs: config.interRegionDelayMs ?? 0,
          peers,
        },
      ),
  );
  await Promise.all(accesses.map((access) => access.start()));
  const reply = (message: unknown) =>
    Deno.stdout.write(new TextEncoder().encode(JSON.stringify(message) + "\n"));
  await reply({
    viewers: accesses.map(({ httpPort, turnPort }) => ({ httpPort, turnPort })),
  });
  for await (const line of requests) {
    if (JSON.parse(line) === "counters") {
      await reply(accesses.map((access) => access.counters()));
    }
  }
  for (const access of accesses) access.close();
  Deno.exit(0);
}

if (import.meta.main) await serve();
