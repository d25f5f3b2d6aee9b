import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launchBrowser } from "../helpers/browser.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { startTestServer } from "../helpers/server.ts";
import { HLS_CONFIG } from "../../player/use_hls.ts";
import {
  LIVE_FLOOR_SEGMENTS,
  NO_PEERS_WINDOW_S,
} from "../../player/p2p_pacing.ts";
import {
  DEMO_SEGMENT_SECONDS,
  openViewer,
  readProbe,
  snapshot,
  waitForPlayback,
} from "../helpers/viewer.ts";

/** Seconds between the playhead and the live edge, as the player shows it. */
async function edgeDistance(
  page: import("playwright-core").Page,
): Promise<number> {
  return Number(await page.getAttribute(".live-status", "data-edge-distance"));
}

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test("four staggered viewers of the live demo share segments near the live edge", async (t) => {
    const server = await startTestServer({
      buildDir: false,
      p2p: { iceServers: [] },
    });
    const browser = await launchBrowser();
    try {
      const viewers: Page[] = [];
      // The fourth is third in line behind the edge player: it asks peers
      // last (live_role.ts), inside any floor a joiner may hold.
      for (let i = 0; i < 4; i++) {
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, 3000));
        const page = await openViewer(
          await browser.newContext(),
          server.url,
          "ao-vivo",
        );
        viewers.push(page);
      }
      for (const page of viewers) await waitForPlayback(page, 1);
      await new Promise((resolve) => setTimeout(resolve, 16_000));

      await t.step("the player shows LIVE", async () => {
        for (const page of viewers) {
          assert.equal(await page.getAttribute(".player", "data-live"), "true");
          assert.match(
            await page.locator(".live-badge").textContent() ?? "",
            /AO VIVO|LIVE/,
          );
        }
      });
      await t.step("each later viewer receives segments over P2P", async () => {
        const later = await Promise.all(viewers.slice(1).map(snapshot));
        for (const [i, { panel }] of later.entries()) {
          assert.ok(panel.peers >= 1, `viewer ${i + 2} has a peer`);
          assert.ok(
            panel.p2pBytes > 0,
            `viewer ${i + 2} got ${panel.p2pBytes} bytes from peers`,
          );
        }
      });
      await t.step(
        "a joiner holds what plain HTTP holds until its first peer connects, then waits on peers",
        async () => {
          const floorS = LIVE_FLOOR_SEGMENTS * DEMO_SEGMENT_SECONDS;
          for (const [i, page] of viewers.entries()) {
            if (i === 0) continue;
            const { log } = await snapshot(page);
            const joined = log.events.find((e) => e.type === "p2pJoined")!;
            // Not the edge role's plain HTTP, which a joiner may hold a
            // moment before it hears of its elder.
            const windows = log.events.filter((e) =>
              e.type === "window" && e.at! >= joined.at! &&
              e.seconds! < NO_PEERS_WINDOW_S
            );
            const firstPeer = log.events.find((e) => e.type === "peerConnect")!;
            const shown = JSON.stringify(windows);
            assert.ok(windows[0]!.seconds! >= floorS, `joined: ${shown}`);
            assert.ok(
              windows.some((e) =>
                e.at! >= firstPeer.at! && e.seconds! < floorS
              ),
              `viewer ${i + 1}'s first peer came at ${firstPeer.at}: ${shown}`,
            );
          }
        },
      );
      await t.step(
        "everyone stays within a few segments of the live edge and never stalls",
        async () => {
          // hls.js's bound: it jumps back once this late (a busy machine
          // starts players late, and they catch up at 1.1x).
          const maxLatency = HLS_CONFIG.liveMaxLatencyDurationCount! *
            DEMO_SEGMENT_SECONDS;
          for (const [i, page] of viewers.entries()) {
            const distance = await edgeDistance(page);
            assert.ok(
              distance > 0 && distance <= maxLatency,
              `viewer ${i + 1} is ${distance} s behind the edge`,
            );
            const probe = await readProbe(page);
            assert.equal(
              probe.stalls,
              0,
              `viewer ${i + 1} stalled: ${JSON.stringify(probe.waits)}`,
            );
            assert.equal(
              await page.getAttribute(".player", "data-state"),
              "playing",
            );
          }
        },
      );
      await t.step(
        "a viewer who falls behind is offered Go live, which returns to the edge",
        async () => {
          const page = viewers[0]!;
          // Paused: a playing hls.js jumps back by itself once it is
          // liveMaxLatencyDurationCount segments late, and the button goes.
          await page.evaluate(() => {
            const video = document.querySelector("video")!;
            video.pause();
            video.currentTime = Math.max(0, video.currentTime - 8);
          });
          await page.waitForSelector(".live-status.behind .go-live", {
            timeout: 10_000,
          });
          await page.click(".go-live");
          await page.waitForSelector(".live-status.at-edge", {
            timeout: 10_000,
          });
          assert.ok(await edgeDistance(page) <= 12);
          assert.equal(
            await page.evaluate(() => document.querySelector("video")!.paused),
            false,
            "Go live plays",
          );
        },
      );
    } finally {
      await browser.close();
      await server.close();
    }
  });

  Deno.test("zapping to another channel closes the previous player's peers and tracker socket", async () => {
    const server = await startTestServer({
      buildDir: false,
      p2p: { iceServers: [] },
    });
    const browser = await launchBrowser();
    try {
      const stayer = await openViewer(
        await browser.newContext(),
        server.url,
        "demo",
      );
      await waitForPlayback(stayer, 1);
      const zapper = await openViewer(
        await browser.newContext(),
        server.url,
        "demo",
      );
      await zapper.waitForSelector(".p2p-panel[data-peers='1']", {
        timeout: 30_000,
      });
      await stayer.waitForSelector(".p2p-panel[data-peers='1']", {
        timeout: 10_000,
      });
      const viewersOf = async (id: string) =>
        (await (await fetch(`${server.url}/tracker/channels/${id}`)).json())
          .viewers as number;
      assert.equal(await viewersOf("demo"), 2);

      const before = await zapper.evaluate(() => performance.now());
      await zapper.click(".lineup a[href='/watch/ao-vivo']");
      await zapper.waitForSelector(".player[data-live='true']", {
        timeout: 20_000,
      });
      assert.equal(new URL(zapper.url()).pathname, "/watch/ao-vivo");
      assert.equal(
        await zapper.locator(".watch-title h1").textContent(),
        "RedFlix Ao Vivo",
      );

      // The new player opens its own tracker socket (once p2p-media-loader starts).
      await zapper.waitForFunction(
        (switchedAt) =>
          (globalThis as unknown as {
            __connections: { sockets: { ws: WebSocket; at: number }[] };
          })
            .__connections.sockets.some((s) =>
              s.at >= switchedAt && s.ws.url.includes("channel=ao-vivo")
            ),
        before,
        { timeout: 15_000 },
      );
      // The old player's connections, opened before the switch, are all closed now.
      const leftovers = await zapper.evaluate((switchedAt) => {
        const { peers, sockets } = (globalThis as unknown as {
          __connections: {
            peers: { pc: RTCPeerConnection; at: number }[];
            sockets: { ws: WebSocket; at: number }[];
          };
        }).__connections;
        return {
          oldPeers: peers.filter((p) => p.at < switchedAt).length,
          openOldPeers: peers.filter((p) =>
            p.at < switchedAt && p.pc.signalingState !== "closed"
          ).length,
          oldSockets: sockets.filter((s) =>
            s.at < switchedAt
          ).map((s) => [s.ws.url, s.ws.readyState]),
          newSockets: sockets.filter((s) =>
            s.at >= switchedAt
          ).map((s) => s.ws.url),
        };
      }, before);
      assert.ok(leftovers.oldPeers >= 1, "the old player had peer connections");
      assert.equal(
        leftovers.openOldPeers,
        0,
        "every old peer connection is closed",
      );
      assert.ok(leftovers.oldSockets.length >= 1);
      for (const [url, state] of leftovers.oldSockets) {
        assert.equal(state, WebSocket.CLOSED, `old socket ${url} is closed`);
      }
      assert.ok(
        leftovers.newSockets.some((url) =>
          String(url).includes("channel=ao-vivo")
        ),
      );

      // The tracker and the other viewer see it too.
      assert.equal(await viewersOf("demo"), 1);
      assert.equal(await viewersOf("ao-vivo"), 1);
      await stayer.waitForSelector(".p2p-panel[data-peers='0']", {
        timeout: 15_000,
      });

      // Back returns to the first channel, again tearing down the live player.
      await zapper.goBack();
      await zapper.waitForSelector(".player[data-live='false'] video", {
        timeout: 20_000,
      });
      assert.equal(
        await zapper.locator(".watch-title h1").textContent(),
        "RedFlix Demo",
      );
      await waitForPlayback(zapper, 1);
      assert.equal(await viewersOf("ao-vivo"), 0);
    } finally {
      await browser.close();
      await server.close();
    }
  });
} else {
  Deno.test("live P2P and channel switching in real Chromium, on loopback only", async () => {
    await runInLoopbackNamespace(new URL(import.meta.url), 240_000);
  });
}
