/**
 * Real headless Chromium (Debian's `chromium`) driven by playwright-core.
 * WebRTC between pages on loopback needs both the loopback flag and media
 * permission (see DESIGN.md section 4).
 * @module
 */
import { type Browser, chromium } from "playwright-core";

/** Where Chromium is: `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ??
  "/usr/bin/chromium";

/** Launch headless Chromium with the flags our tests need. */
export async function launchBrowser(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  }
  return await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
      "--allow-loopback-in-peer-connection",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
    ],
  });
}
