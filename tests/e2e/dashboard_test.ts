import assert from "node:assert/strict";
import { launchBrowser } from "../helpers/browser.ts";
import {
  IN_LOOPBACK_NAMESPACE,
  runInLoopbackNamespace,
} from "../helpers/netns.ts";
import { startTestServer } from "../helpers/server.ts";
import {
  cspViolations,
  snapshot,
  waitForPlayback,
  watchTogether,
} from "../helpers/viewer.ts";

if (IN_LOOPBACK_NAMESPACE) {
  Deno.test("the dashboard shows two real viewers and the offload their own panels show", async () => {
    const server = await startTestServer({
      buildDir: false,
      p2p: { iceServers: [], reportIntervalMs: 2000 },
    });
    const browser = await launchBrowser();
    try {
      const [first, second] = await watchTogether(browser, server.url, "demo");
      await second.waitForSelector(".p2p-panel[data-peers='1']", {
        timeout: 30_000,
      });
      await waitForPlayback(second, 4);

      const dashboard = await (await browser.newContext({
        viewport: { width: 390, height: 900 },
      })).newPage();
      await dashboard.goto(`${server.url}/dashboard`);
      await dashboard.waitForSelector(".dashboard[data-viewers='2']", {
        timeout: 15_000,
      });
      await dashboard.waitForFunction(
        () =>
          Number(
            document.querySelector<HTMLElement>(".dashboard")?.dataset.offload,
          ) > 0,
        undefined,
        { timeout: 15_000 },
      );
      // Reports lag by at most one interval (2 s) and the dashboard refreshes every 3 s:
      // compare the dashboard with the panels as they were a moment ago and now.
      const before = await Promise.all([first, second].map(snapshot));
      await new Promise((resolve) => setTimeout(resolve, 5500));
      const shown = Number(
        await dashboard.getAttribute(".dashboard", "data-offload"),
      );
      const after = await Promise.all([first, second].map(snapshot));
      const ratio = (views: typeof before) => {
        const p2p = views.reduce((sum, v) => sum + v.panel.p2pBytes, 0);
        const http = views.reduce((sum, v) => sum + v.panel.httpBytes, 0);
        return p2p / (p2p + http);
      };
      const low = Math.min(ratio(before), ratio(after)) - 0.05;
      const high = Math.max(ratio(before), ratio(after)) + 0.05;
      assert.ok(
        shown > 0 && shown >= low && shown <= high,
        `dashboard ${shown} vs panels ${ratio(before)}..${ratio(after)}`,
      );
      const channel = dashboard.locator(
        ".dashboard-channel[data-channel='demo']",
      );
      assert.equal(await channel.getAttribute("data-viewers"), "2");
      assert.match(
        await channel.locator("h3").textContent() ?? "",
        /RedFlix Demo/,
      );
      assert.deepEqual(
        await dashboard.evaluate(() =>
          [...document.querySelectorAll(".dash-chart polyline")].length > 0
        ),
        true,
      );
      assert.deepEqual(await cspViolations(first), []);
    } finally {
      await browser.close();
      await server.close();
    }
  });
} else {
  Deno.test("P2P analytics dashboard with real viewers, on loopback only", async () => {
    await runInLoopbackNamespace(new URL(import.meta.url), 180_000);
  });
}
