import assert from "node:assert/strict";
import { launchBrowser } from "../helpers/browser.ts";
import { startTestServer } from "../helpers/server.ts";

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
