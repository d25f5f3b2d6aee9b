import assert from "node:assert/strict";
import { launchBrowser } from "../helpers/browser.ts";
import { startTestServer } from "../helpers/server.ts";
import { eventually } from "../helpers/eventually.ts";
import { FORWARD_BUFFER_S } from "../../player/use_hls.ts";

Deno.test("the watch page hydrates the player island and plays the demo HLS channel", async (t) => {
  const server = await startTestServer({ buildDir: false });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const cspErrors: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) {
        cspErrors.push(message.text());
      }
    });
    await page.goto(`${server.url}/watch/demo`);

    await t.step("the island hydrates", async () => {
      await page.waitForSelector("redflix-island[data-hydrated=true]", {
        timeout: 15_000,
      });
      assert.equal(
        await page.getAttribute("html", "data-islands-ready"),
        "true",
      );
    });

    await t.step(
      "the video plays: currentTime advances and no fatal error",
      async () => {
        await page.waitForFunction(
          () => (document.querySelector("video")?.currentTime ?? 0) > 1,
          undefined,
          { timeout: 20_000 },
        );
        const first = await page.evaluate(() =>
          document.querySelector("video")!.currentTime
        );
        await page.waitForTimeout(1500);
        const second = await page.evaluate(() =>
          document.querySelector("video")!.currentTime
        );
        assert.ok(
          second > first + 0.5,
          `currentTime should advance: ${first} → ${second}`,
        );
        assert.equal(
          await page.getAttribute(".player", "data-state"),
          "playing",
        );
        assert.deepEqual(errors, []);
      },
    );

    await t.step(
      "the page preloads every module the player loads (hls.js and p2p-media-loader too), and each is fetched once",
      async () => {
        const { fetched, preloaded } = await page.evaluate(() => ({
          fetched: performance.getEntriesByType("resource")
            .filter((entry) => entry.name.includes("/_islands/"))
            .map((entry) => ({
              path: new URL(entry.name).pathname,
              bytes: (entry as PerformanceResourceTiming).decodedBodySize,
            })),
          preloaded: [
            ...document.head.querySelectorAll<HTMLLinkElement>(
              "link[rel=modulepreload]",
            ),
          ].map((link) => new URL(link.href).pathname),
        }));
        const paths = fetched.map((entry) => entry.path);
        assert.ok(paths.length >= 5, JSON.stringify(fetched));
        assert.ok(
          fetched.some((entry) => entry.bytes > 300_000),
          "hls.js is among them",
        );
        for (const path of paths) {
          assert.ok(preloaded.includes(path), `${path} is preloaded`);
        }
        assert.equal(
          new Set(paths).size,
          paths.length,
          `a preloaded module is not fetched again: ${paths.join(" ")}`,
        );
      },
    );

    await t.step("the current quality level is shown", async () => {
      await page.waitForSelector(".player[data-level$=p]", { timeout: 10_000 });
      const level = await page.getAttribute(".player", "data-level");
      assert.match(level ?? "", /^(360|180)p$/);
      const options = await page.locator(".player-bar select option")
        .allTextContents();
      assert.deepEqual(options.slice(1), ["360p", "180p"]);
    });

    await t.step("the Content-Security-Policy reported no violation", () => {
      assert.deepEqual(cspErrors, []);
    });

    await t.step("the unmute control unmutes the video", async () => {
      assert.equal(
        await page.evaluate(() => document.querySelector("video")!.muted),
        true,
      );
      await page.click(".player-bar .mute");
      assert.equal(
        await page.evaluate(() => document.querySelector("video")!.muted),
        false,
      );
      // Preact re-renders on its next tick: wait for the button, do not race it.
      await page.waitForSelector(".player-bar .mute[aria-pressed=true]", {
        timeout: 2000,
      });
    });
    await t.step(
      "a non-HLS channel plays in its sandboxed iframe under the CSP",
      async () => {
        await page.goto(`${server.url}/watch/relogio`);
        const frame = page.frameLocator("iframe.embed");
        await frame.locator("#clock").filter({ hasText: /\d\d:\d\d:\d\d/ })
          .waitFor({ timeout: 10_000 });
        assert.deepEqual(cspErrors, []);
      },
    );
  } finally {
    await browser.close();
    await server.close();
  }
});

/** A loopback proxy to `target` whose answers pass through `answer`. */
function proxy(
  target: string,
  answer: (path: string, response: Response) => Response,
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const { pathname, search } = new URL(req.url);
      const response = await fetch(new URL(pathname + search, target), {
        method: req.method,
        body: req.body,
        headers: req.headers,
      });
      return answer(pathname, response);
    },
  );
}

Deno.test("with P2P off, the player still reports what the origin sent it (not 0)", async () => {
  // Count the segment bytes this origin really serves.
  let originBytes = 0;
  const app = await startTestServer({
    buildDir: false,
    p2p: { enabled: false, reportIntervalMs: 2000 },
  });
  const counting = proxy(app.url, (path, response) => {
    if (/\.ts$/.test(path) && response.ok) {
      originBytes += Number(response.headers.get("content-length") ?? 0);
    }
    return response;
  });
  const url = `http://127.0.0.1:${counting.addr.port}`;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/watch/demo`);
    await page.waitForFunction(
      () => (document.querySelector("video")?.currentTime ?? 0) > 6,
      undefined,
      { timeout: 30_000 },
    );
    await page.waitForSelector(".p2p-panel[data-status=operator]");
    // It buffers 30 s ahead, not the whole 60 s video (hls.js's own limit
    // is 60 MB: every segment of this one, fetched at once on loopback).
    const ahead = await page.evaluate(() => {
      const video = document.querySelector("video")!;
      const { buffered } = video;
      return buffered.length
        ? buffered.end(buffered.length - 1) - video.currentTime
        : 0;
    });
    assert.ok(
      ahead > 10 && ahead <= FORWARD_BUFFER_S + 4,
      `buffered ${ahead.toFixed(1)} s ahead`,
    );
    const panelHttp = Number(
      await page.getAttribute(".p2p-panel", "data-http-bytes"),
    );
    assert.ok(panelHttp > 0, "the panel shows the HTTP bytes too");
    await page.close({ runBeforeUnload: true }); // the final report goes out
    await eventually(async () => {
      const { p2p } = await (await fetch(`${url}/tracker/stats`)).json();
      assert.equal(p2p.noP2P.operator, 0, "the final report said goodbye");
      assert.ok(
        p2p.httpBytes > 0.9 * originBytes && p2p.httpBytes <= originBytes,
        `reported ${p2p.httpBytes} of the ${originBytes} segment bytes the origin sent (before: 0)`,
      );
      assert.equal(p2p.p2pBytes, 0);
      assert.equal(p2p.offload, 0);
    }, 8000);
  } finally {
    await browser.close();
    await counting.shutdown();
    await app.close();
  }
});

Deno.test("?debug=p2p records hls.js's errors: a segment the origin fails once is retried, and the log says so", async () => {
  const app = await startTestServer({
    buildDir: false,
    p2p: { enabled: false },
  });
  let failed = 0;
  const flaky = proxy(app.url, (path, response) => {
    if (path.endsWith("/seg_003.ts") && failed === 0) {
      failed++;
      response.body?.cancel();
      return new Response("origin busy", { status: 503 });
    }
    return response;
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${flaky.addr.port}/watch/demo?debug=p2p`);
    await page.waitForFunction(
      () => (document.querySelector("video")?.currentTime ?? 0) > 8,
      undefined,
      { timeout: 30_000 },
    );
    const errors = await page.evaluate(() =>
      (globalThis as unknown as {
        __redflixP2P: {
          events: { type: string; detail?: string; url?: string }[];
        };
      }).__redflixP2P.events.filter((e) => e.type === "hlsError")
    );
    assert.equal(failed, 1);
    assert.ok(
      errors.some((e) =>
        e.detail === "networkError/fragLoadError" &&
        e.url?.endsWith("/seg_003.ts")
      ),
      JSON.stringify(errors),
    );
  } finally {
    await browser.close();
    await flaky.shutdown();
    await app.close();
  }
});
