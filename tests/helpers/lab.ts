/**
 * One run of the network lab, as the tests use it: the lab's media, a fresh
 * Chromium, P2P on with the default settings, one app instance, no churn.
 * @module
 */
import { launchBrowser } from "./browser.ts";
import { p2pConfigFromEnv } from "../../p2p/config.ts";
import { ensureLabMedia } from "../../scripts/lab/media.ts";
import {
  type RunOutcome,
  runScenario,
  type ScenarioOptions,
} from "../../scripts/lab/scenario.ts";

/** What a test chooses; the rest is {@linkcode runLabScenario}'s defaults. */
export type LabRunOptions =
  & Pick<
    ScenarioOptions,
    "profile" | "kind" | "viewers" | "staggerSeconds" | "watchSeconds"
  >
  & Partial<Omit<ScenarioOptions, "media">>;

/** Run the scenario once in its own browser, closed afterwards. */
export async function runLabScenario(
  options: LabRunOptions,
): Promise<RunOutcome> {
  const media = await ensureLabMedia();
  const browser = await launchBrowser();
  try {
    return await runScenario(browser, {
      media,
      churn: false,
      p2p: true,
      p2pConfig: p2pConfigFromEnv(() => undefined),
      instances: 1,
      ...options,
    });
  } finally {
    await browser.close();
  }
}
