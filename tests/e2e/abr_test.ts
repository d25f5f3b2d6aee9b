/**
 * The P2P-aware quality choice in real Chromium: a viewer who picked a
 * lower rendition by hand holds that rendition's swarm; a second viewer,
 * whose own line (loopback) carries the top one, converges on it, and the
 * panel says why. The counts come from the real tracker, so this also
 * proves the player names each rendition's swarm as p2p-media-loader does.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launchBrowser } from "../helpers/browser.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { startTestServer } from "../helpers/server.ts";
import { openViewer, waitForPlayback } from "../helpers/viewer.ts";
import { ensureLabMedia } from "../../scripts/lab/media.ts";
import { LAB_CHANNELS, writeLabCatalog } from "../../scripts/lab/scenario.ts";

/** The P2P-aware controller's part of a viewer's debug log. */
interface AbrEvent {
  type: string;
  level?: number;
  source?: string;
  sn?: number;
  detail?: string;
}

/** The events of `page`'s debug log that tell how its quality was chosen. */
function abrEvents(page: Page): Promise<AbrEvent[]> {
  return page.evaluate(() =>
    (globalThis as unknown as { __redflixP2P: { events: AbrEvent[] } })
      .__redflixP2P.events.filter((e) =>
        ["abrChoice", "swarmLevels", "p2pJoined", "levelSwitching"].includes(
          e.type,
        )
      )
  );
}

/** The fragments `page`'s hls.js asked for, in order. */
function fragmentLoads(page: Page): Promise<{ sn: number; level: number }[]> {
  return page.evaluate(() =>
    (globalThis as unknown as {
      __redflixP2P: { events: { type: string; sn: number; level: number }[] };
    }).__redflixP2P.events.filter((e) => e.type === "fragLoading")
      .map(({ sn, level }) => ({ sn, level }))
  );
}

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test({
    name:
      "a viewer converges on the rendition its channel's viewers watch, and says so",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn(t) {
      const media = await ensureLabMedia();
      const dir = await Deno.makeTempDir({ prefix: "redflix-abr-" });
      const server = await startTestServer({
        buildDir: false,
        channelsFile: await writeLabCatalog(dir, media),
        p2p: { iceServers: [] },
        // The first viewer's old rendition leaves the counts once
        // p2p-media-loader drops its swarm (30 s after the switch) and the
        // tracker times it out: bittorrent-tracker's client sends no
        // "stopped" when one of several swarms on a socket ends.
        tracker: { announceIntervalS: 5, peerTimeoutMs: 10_000 },
      });
      const browser = await launchBrowser();
      try {
        const first = await openViewer(
          await browser.newContext({ locale: "en-US" }),
          server.url,
          LAB_CHANNELS.vod,
        );
        await waitForPlayback(first, 1);
        // By hand: 180p (2.5 Mbit/s), one step below what loopback carries.
        const option = await first.locator(".quality option", {
          hasText: "180p",
        }).getAttribute("value");
        await first.selectOption(".quality select", option!);
        await first.waitForSelector(".player[data-level='180p']", {
          timeout: 30_000,
        });
        assert.match(
          await first.locator(".rendition-reason").textContent() ?? "",
          /chosen by you/,
        );

        const second = await openViewer(
          await browser.newContext({ locale: "en-US" }),
          server.url,
          LAB_CHANNELS.vod,
        );
        await waitForPlayback(second, 1);

        await t.step(
          "the second viewer's automatic quality joins the swarm",
          async () => {
            await second.waitForSelector(".player[data-level='180p']", {
              timeout: 90_000,
            }).catch(async (error) => {
              const trace = (await abrEvents(second)).map((e) =>
                JSON.stringify(e)
              );
              throw new Error(`${error}\n${trace.join("\n")}`);
            });
            assert.match(
              await second.locator(".rendition-reason").textContent() ?? "",
              /most viewers here watch 180p/,
            );
          },
        );

        await t.step(
          "the choice came from the P2P-aware controller, seeing the tracker's counts",
          async () => {
            const events = await abrEvents(second);
            // The last choice: the one that took the player to 180p.
            const choice = events.findLast((e) =>
              e.type === "abrChoice" && e.source === "swarm"
            );
            assert.ok(choice, "a swarm choice was recorded");
            assert.ok(
              (choice.sn ?? -1) > (choice.level ?? -1),
              `hls.js alone chose level ${choice.sn}, the swarm ${choice.level}`,
            );
            const counts = events.filter((e) => e.type === "swarmLevels")
              .map((e) => e.detail);
            // Levels in hls.js's order: 108p, 144p, 180p, 216p.
            assert.ok(
              counts.includes("0/0/1/0"),
              `the tracker counted the first viewer in 180p's swarm: ${counts}`,
            );
          },
        );

        await t.step(
          "switching, it fetches no segment it has buffered again (stream_controller.ts)",
          async () => {
            const loads = await fragmentLoads(second);
            const levels = new Set(loads.map((load) => load.level));
            assert.ok(levels.size > 1, `it switched: ${JSON.stringify(loads)}`);
            const again = loads.filter((load, i) =>
              loads.findIndex((other) => other.sn === load.sn) !== i
            );
            assert.deepEqual(
              again,
              [],
              `fetched twice: ${JSON.stringify(loads)}`,
            );
          },
        );
      } finally {
        await browser.close();
        await server.close();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  });
} else {
  Deno.test("P2P-aware quality (in a loopback-only network namespace)", async () => {
    await runInLoopbackNamespace(import.meta.url, 240_000);
  });
}
