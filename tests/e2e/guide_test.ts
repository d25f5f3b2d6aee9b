/**
 * The program guide and the channel pages in a real browser: the default
 * start's sample guide shows what is on now on the cards, the watch page's
 * schedule turns to the viewer's own time zone and follows the guide route,
 * and the channel list's pages work with and without JavaScript.
 */
import assert from "node:assert/strict";
import { launchBrowser } from "../helpers/browser.ts";
import { startTestServer } from "../helpers/server.ts";
import { eventually } from "../helpers/eventually.ts";

Deno.test("guide and pages in Chromium: now/next on cards, the schedule in the viewer's time zone, pages with and without JavaScript", async (t) => {
  const dir = await Deno.makeTempDir();
  // 120 channels in 2 categories, with the sample guide's ids on the first three.
  const lines = ['#EXTM3U x-tvg-url="http://127.0.0.1:9/none.xml"'];
  for (let i = 0; i < 120; i++) {
    lines.push(
      `#EXTINF:-1 tvg-id="Ch${i}.br" group-title="${
        i % 2 ? "Filmes" : "Notícias"
      }",Canal ${i}`,
      `/media/demo/master.m3u8`,
    );
  }
  await Deno.writeTextFile(`${dir}/channels.m3u`, lines.join("\n"));
  const demo = await startTestServer({ buildDir: false });
  const big = await startTestServer({
    buildDir: false,
    channelsFile: `${dir}/channels.m3u`,
  });
  const browser = await launchBrowser();
  try {
    await t.step("the default start's cards say what is on now", async () => {
      const page = await browser.newPage();
      await eventually(async () => {
        await page.goto(demo.url);
        const now = await page.locator(".channel-card .program.now").count();
        assert.equal(now, 3, "every demo channel has a programme on now");
      }, 10_000);
      const bar = page.locator(".channel-card .aired").first();
      const aired = Number(await bar.getAttribute("aria-valuenow"));
      assert.ok(aired >= 0 && aired <= 100);
      assert.equal(
        await page.locator(".channel-card .program.next").count(),
        3,
      );
      await page.close();
    });

    await t.step(
      "the watch page's schedule turns to the viewer's time zone",
      async () => {
        const context = await browser.newContext({ timezoneId: "Asia/Tokyo" });
        const page = await context.newPage();
        const guide = await (await fetch(`${demo.url}/api/guide/demo`))
          .json() as {
            programmes: Array<{ start: number; stop: number; title: string }>;
          };
        assert.ok(guide.programmes.length > 0);
        await page.goto(`${demo.url}/watch/demo`);
        const first = page.locator(".schedule li").first();
        const tokyo = new Intl.DateTimeFormat("en", {
          hour: "2-digit",
          minute: "2-digit",
          hourCycle: "h23",
          timeZone: "Asia/Tokyo",
        });
        const shown = guide.programmes.map((p) => tokyo.format(p.start));
        await eventually(async () => {
          const text = await first.locator("time").textContent();
          assert.ok(shown.includes(text ?? ""), `${text} in Tokyo time`);
        }, 15_000);
        assert.equal(
          await page.locator('.schedule li[aria-current="time"]').count(),
          1,
        );
        await context.close();
      },
    );

    for (const javaScriptEnabled of [true, false]) {
      await t.step(
        `pages and categories ${
          javaScriptEnabled ? "with" : "without"
        } JavaScript`,
        async () => {
          const context = await browser.newContext({ javaScriptEnabled });
          const page = await context.newPage();
          await page.goto(big.url);
          assert.equal(await page.locator(".channel-card").count(), 48);
          await page.locator('.pager a[rel="next"]').click();
          await page.waitForURL(/page=2/);
          assert.equal(await page.locator(".channel-card").count(), 48);
          await page.locator('.pager a[rel="next"]').click();
          await page.waitForURL(/page=3/);
          assert.equal(await page.locator(".channel-card").count(), 24);
          await page.locator(".categories a", { hasText: "Filmes" }).click();
          await page.waitForURL(/category=Filmes/);
          assert.equal(await page.locator(".channel-card").count(), 48);
          assert.match(await page.locator(".count").textContent() ?? "", /60/);
          await context.close();
        },
      );
    }
  } finally {
    await browser.close();
    await demo.close();
    await big.close();
    await Deno.remove(dir, { recursive: true });
  }
});
