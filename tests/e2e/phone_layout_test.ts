/**
 * The watch page and the channel list on phones: 360×640 and 390×844,
 * portrait and landscape, in both languages. Sizes and positions are
 * asserted (no pixel diffs).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launchBrowser } from "../helpers/browser.ts";
import { startTestServer } from "../helpers/server.ts";

const SCREENS = [
  { width: 360, height: 640 },
  { width: 390, height: 844 },
  { width: 844, height: 390 },
];

/** Visible tap targets smaller than 44 × 44 px, described. */
function smallTargets(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(
    (selector) =>
      [...document.querySelectorAll<HTMLElement>(selector)]
        .filter((el) => el.offsetParent !== null)
        .map((el) => ({ el, box: el.getBoundingClientRect() }))
        .filter(({ box }) => box.width < 44 || box.height < 44)
        .map(({ el, box }) =>
          `${el.tagName.toLowerCase()}.${el.className} ${
            Math.round(box.width)
          }×${Math.round(box.height)}`
        ),
    selector,
  );
}

Deno.test("phone layouts: the video first, nothing wider than the screen, tap targets of 44 px, P2P numbers folded", async (t) => {
  const server = await startTestServer({ buildDir: false });
  const browser = await launchBrowser();
  try {
    for (const screen of SCREENS) {
      for (const locale of ["pt-BR", "en"]) {
        await t.step(`${screen.width}x${screen.height} ${locale}`, async () => {
          const context = await browser.newContext({
            viewport: screen,
            isMobile: true,
            hasTouch: true,
            deviceScaleFactor: 2,
            locale,
            extraHTTPHeaders: { "accept-language": locale },
          });
          const page = await context.newPage();
          await page.goto(`${server.url}/watch/demo`);
          await page.waitForSelector("redflix-island[data-hydrated=true]", {
            timeout: 15_000,
          });
          await page.waitForSelector(".player-bar .fullscreen");
          const layout = await page.evaluate(() => {
            const video = document.querySelector("video")!
              .getBoundingClientRect();
            return {
              scrollWidth: document.documentElement.scrollWidth,
              innerWidth,
              innerHeight,
              video: {
                top: video.top,
                width: video.width,
                height: video.height,
              },
              folded: !document.querySelector<HTMLDetailsElement>(
                ".p2p-details",
              )!.open,
            };
          });
          assert.ok(
            layout.scrollWidth <= layout.innerWidth,
            `no sideways scroll: ${layout.scrollWidth} > ${layout.innerWidth}`,
          );
          assert.ok(
            layout.video.top < 100,
            `video first: top ${layout.video.top}`,
          );
          assert.ok(
            layout.video.width >= layout.innerWidth - 40 ||
              layout.video.height >= layout.innerHeight - 140,
            `the video fills the screen's width (or height, sideways): ${
              JSON.stringify(layout.video)
            }`,
          );
          if (screen.width < 600) {
            assert.ok(layout.folded, "P2P numbers folded on a phone");
          }
          assert.deepEqual(
            await smallTargets(
              page,
              ".player-bar button, .player-bar select, .p2p-panel .toggle, .p2p-details > summary, .lineup a, .lang-switch, .back",
            ),
            [],
          );
          await page.goto(`${server.url}/`);
          assert.ok(
            await page.evaluate(() =>
              document.documentElement.scrollWidth <= innerWidth
            ),
            "channel list: no sideways scroll",
          );
          assert.deepEqual(
            await smallTargets(page, ".chip, .lang-switch, .channel-card a"),
            [],
          );
          await context.close();
        });
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
});
