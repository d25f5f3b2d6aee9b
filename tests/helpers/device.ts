/**
 * A phone as Chromium on Android reports itself, for browser tests: desktop
 * Chromium exposes no `navigator.connection.type`, even under network
 * emulation, so an init script defines `navigator.connection` with its
 * `change` event, and a `document.hidden` the test can flip.
 * @module
 */
import type { Page } from "playwright-core";

/** An init script: a device on a `type` connection (`"cellular"`, `"wifi"`, `"ethernet"`), with knobs for the test. */
export function deviceScript(type: string): string {
  return `(() => {
  const connection = new EventTarget();
  connection.type = ${JSON.stringify(type)};
  connection.saveData = false;
  Object.defineProperty(navigator, "connection", { get: () => connection });
  let hidden = false;
  Object.defineProperty(document, "hidden", { get: () => hidden });
  Object.defineProperty(document, "visibilityState", {
    get: () => hidden ? "hidden" : "visible",
  });
  window.__device = {
    set(changes) {
      if ("type" in changes) connection.type = changes.type;
      if ("saveData" in changes) connection.saveData = changes.saveData;
      connection.dispatchEvent(new Event("change"));
      if ("hidden" in changes) {
        hidden = changes.hidden;
        document.dispatchEvent(new Event("visibilitychange"));
      }
    },
  };
})();`;
}

/** What {@linkcode setDevice} can change. */
export interface DeviceChange {
  /** The connection's type. */
  type?: string;
  /** Data Saver. */
  saveData?: boolean;
  /** Whether the page is hidden. */
  hidden?: boolean;
}

/** Change the device of a page opened with {@linkcode deviceScript}, firing the events a real one would. */
export function setDevice(page: Page, changes: DeviceChange): Promise<void> {
  return page.evaluate((c) =>
    (globalThis as unknown as {
      __device: { set(c: DeviceChange): void };
    }).__device.set(c), changes);
}
