import assert from "node:assert/strict";
import { launchBrowser } from "../helpers/browser.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { startTestServer } from "../helpers/server.ts";
import {
  assertPeerSegmentsMatchOrigin,
  bytesFromEvents,
  cspViolations,
  openViewer,
  snapshot,
  waitForPlayback,
  watchTogether,
} from "../helpers/viewer.ts";

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test("two viewers of the demo channel share segments over WebRTC", async (t) => {
    const server = await startTestServer({
      buildDir: false,
      p2p: { iceServers: [] },
    });
    const browser = await launchBrowser();
    try {
      const [first, second] = await watchTogether(browser, server.url, "demo");

      await t.step(
        "(a) the second viewer receives segments from the first, byte-identical to the origin",
        async () => {
          await assertPeerSegmentsMatchOrigin(second, server.url);
        },
      );

      await t.step("both keep playing", async () => {
        const before = await Promise.all([first, second].map(snapshot));
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const after = await Promise.all([first, second].map(snapshot));
        for (let i = 0; i < 2; i++) {
          assert.ok(
            after[i]!.currentTime > before[i]!.currentTime + 1,
            `viewer ${i + 1} advances`,
          );
        }
        for (const page of [first, second]) {
          assert.equal(
            await page.getAttribute(".player", "data-state"),
            "playing",
          );
        }
      });

      await t.step(
        "the Content-Security-Policy blocked nothing (islands, hls.js workers, WebRTC)",
        async () => {
          for (const page of [first, second]) {
            assert.deepEqual(await cspViolations(page), []);
          }
        },
      );

      await t.step(
        "(b) each panel shows the peer and numbers that agree with the engine's events",
        async () => {
          const [a, b] = await Promise.all([first, second].map(snapshot));
          // One connection per rendition's swarm: a quality switch under load adds one.
          assert.ok(b!.panel.peers >= 1, "the second viewer sees its peer");
          assert.ok(a!.panel.peers >= 1, "the first viewer sees its peer");
          assert.equal(b!.panel.status, "active");
          assert.ok(b!.panel.ratio > 0, "a non-zero P2P ratio");
          for (const viewer of [a!, b!]) {
            const sums = bytesFromEvents(viewer.log);
            assert.equal(viewer.panel.p2pBytes, sums.p2p);
            assert.equal(viewer.panel.httpBytes, sums.http);
            assert.equal(viewer.panel.uploadedBytes, sums.uploaded);
            const total = sums.http + sums.p2p;
            assert.ok(
              Math.abs(viewer.panel.ratio - (total ? sums.p2p / total : 0)) <
                1e-3,
            );
          }
          assert.ok(
            a!.panel.uploadedBytes > 0,
            "the first viewer uploaded to the second",
          );
          const shown = await second.locator(".p2p-panel .ratio-label strong")
            .textContent();
          assert.equal(shown, `${Math.round(b!.panel.ratio * 100)}%`);
        },
      );
    } finally {
      await browser.close();
      await server.close();
    }
  });

  Deno.test("with the tracker unreachable, the video plays over HTTP and the panel says P2P is off", async () => {
    const server = await startTestServer({
      buildDir: false,
      p2p: { iceServers: [], trackerUrl: "ws://127.0.0.1:9/tracker/ws" },
    });
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({
        locale: "en-US",
        extraHTTPHeaders: { "accept-language": "en" },
      });
      const page = await openViewer(context, server.url, "demo");
      await waitForPlayback(page, 3);
      await page.waitForSelector(".p2p-panel[data-status=tracker]", {
        timeout: 20_000,
      });
      assert.match(
        await page.locator(".p2p-status").textContent() ?? "",
        /tracker unreachable; playing over HTTP/,
      );
      const { panel } = await snapshot(page);
      assert.equal(panel.p2pBytes, 0);
      assert.ok(panel.httpBytes > 0);
      assert.equal(await page.getAttribute(".player", "data-state"), "playing");
    } finally {
      await browser.close();
      await server.close();
    }
  });

  Deno.test("viewers of two different channels never connect, even with the same media", async () => {
    const server = await startTestServer({
      buildDir: false,
      channelsFile:
        new URL("../fixtures/two_channels.json", import.meta.url).pathname,
      p2p: { iceServers: [] },
    });
    const browser = await launchBrowser();
    try {
      const a = await openViewer(
        await browser.newContext(),
        server.url,
        "canal-a",
      );
      await waitForPlayback(a, 2);
      const b = await openViewer(
        await browser.newContext(),
        server.url,
        "canal-b",
      );
      await waitForPlayback(b, 4);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      for (const page of [a, b]) {
        const { panel, log } = await snapshot(page);
        assert.equal(panel.peers, 0);
        assert.equal(panel.p2pBytes, 0);
        assert.ok(!log.events.some((e) => e.type === "peerConnect"));
      }
      const stats = await (await fetch(`${server.url}/tracker/stats?swarms=1`))
        .json();
      const swarms = stats.swarmDetails.filter((s: { protocol: string }) =>
        s.protocol === "webtorrent"
      );
      assert.ok(swarms.length >= 2, "one swarm per channel");
      assert.ok(
        swarms.every((s: { peers: number }) => s.peers === 1),
        JSON.stringify(swarms),
      );
    } finally {
      await browser.close();
      await server.close();
    }
  });
} else {
  Deno.test("P2P in real Chromium (p2p-media-loader, our tracker, real HLS), on loopback only", async () => {
    await runInLoopbackNamespace(new URL(import.meta.url), 240_000);
  });
}
