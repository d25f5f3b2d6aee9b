/**
 * A peer that vanishes mid-transfer never causes a stall: the seeder's page
 * crashes (no `stopped`, its peer connections just go silent) while the
 * joiner is downloading a segment from it over a slow uplink. The joiner
 * must finish that segment over HTTP in time and play on without waiting.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launchBrowser } from "../helpers/browser.ts";
import { eventually } from "../helpers/eventually.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { p2pConfigFromEnv } from "../../p2p/config.ts";
import { startCoturn } from "../../scripts/coturn.ts";
import { ensureLabMedia } from "../../scripts/lab/media.ts";
import { startLabNetwork, viewerAddress } from "../../scripts/lab/network.ts";
import { startLabOrigin } from "../../scripts/lab/origin.ts";
import { accessOf, FIBER } from "../../scripts/lab/profiles.ts";
import {
  crash,
  LAB_CHANNELS,
  writeLabCatalog,
} from "../../scripts/lab/scenario.ts";
import {
  playbackProbe,
  readPlayback,
  turnDetour,
} from "../../scripts/lab/viewer_probe.ts";

interface Attempt {
  type: string;
  url?: string;
  source?: string;
}

function events(page: Page): Promise<Attempt[]> {
  return page.evaluate(() =>
    (globalThis as unknown as { __redflixP2P: { events: Attempt[] } })
      .__redflixP2P.events
  );
}

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test({
    name:
      "a seeder that crashes mid-transfer: the joiner finishes over HTTP, no stall",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const media = await ensureLabMedia();
      const dir = await Deno.makeTempDir({ prefix: "redflix-vanish-" });
      const secret = crypto.randomUUID();
      const turn = await startCoturn({ secret });
      const origin = await startLabOrigin({
        channelsFile: await writeLabCatalog(dir, media),
        buildDir: false,
        p2p: {
          ...p2pConfigFromEnv(() => undefined),
          iceServers: [],
          relayOnly: true,
        },
        turn: { urls: [turn.url], secret, ttlS: 3600 },
      }, { warmUpPath: `/watch/${LAB_CHANNELS.vod}` });
      // The seeder's uplink (1.5 Mbit/s) makes each 1.1 MB segment a 6 s transfer.
      const lines = [
        accessOf({ ...FIBER, upMbps: 1.5 }),
        accessOf(FIBER),
      ];
      const network = await startLabNetwork({
        turnPort: turn.port,
        viewers: lines.map((access, i) => ({
          address: viewerAddress(i),
          access,
          originPort: origin.port,
        })),
      });
      const kbpsByHeight = Object.fromEntries(
        media.ladder.map((r) => [r.height, r.videoKbps + r.audioKbps]),
      );
      const browser = await launchBrowser();
      try {
        const open = async (i: number) => {
          const context = await browser.newContext();
          await context.addInitScript(playbackProbe(kbpsByHeight));
          await context.addInitScript(
            turnDetour(turn.port, network.viewers[i]!.turnPort),
          );
          const page = await context.newPage();
          await page.goto(
            `http://127.0.0.1:${
              network.viewers[i]!.httpPort
            }/watch/${LAB_CHANNELS.vod}?debug=p2p`,
          );
          return page;
        };
        const seeder = await open(0);
        await eventually(async () => {
          assert.ok((await readPlayback(seeder)).playedSeconds > 4);
        }, 30_000);
        const joiner = await open(1);
        // Wait until the joiner is fetching a segment from the seeder.
        let inFlight = "";
        await eventually(async () => {
          const log = await events(joiner);
          const started = log.filter((e) =>
            e.type === "segmentStart" && e.source === "p2p"
          ).map((e) => e.url!);
          const finished = new Set(
            log.filter((e) =>
              e.type === "segmentLoaded" || e.type === "segmentAbort"
            ).map((e) => e.url),
          );
          const pending = started.filter((url) => !finished.has(url));
          assert.ok(pending.length > 0, "a P2P download in progress");
          inFlight = pending[0]!;
        }, 60_000);
        await crash(seeder);
        const before = await readPlayback(joiner);
        await eventually(async () => {
          const log = await events(joiner);
          assert.ok(
            log.some((e) =>
              e.type === "segmentLoaded" && e.url === inFlight &&
              e.source === "http"
            ),
            `${inFlight} finished over HTTP`,
          );
        }, 30_000);
        await new Promise((resolve) => setTimeout(resolve, 15_000));
        const after = await readPlayback(joiner);
        assert.ok(
          after.playedSeconds > before.playedSeconds + 12,
          `played on: ${before.playedSeconds} → ${after.playedSeconds} s`,
        );
        assert.equal(after.stalls, 0, "no stall");
      } finally {
        await browser.close();
        await network.close();
        await origin.close();
        await turn.stop();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  });
} else {
  Deno.test("vanishing peer (in a loopback-only network namespace)", async () => {
    await runInLoopbackNamespace(import.meta.url, 300_000);
  });
}
