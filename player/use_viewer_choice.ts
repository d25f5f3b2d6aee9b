/**
 * The viewer's "Share with viewers" switch: remembered in the browser,
 * applied to a running P2P engine at once.
 * @module
 */
import { type Signal, useSignal } from "@preact/signals";
import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";
import type { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";

/** Where the choice is remembered. */
export const VIEWER_CHOICE_KEY = "redflix.p2p";

/** The switch, and a way to flip it. */
export interface ViewerChoice {
  /** Whether the viewer lets P2P run (on until they say otherwise). */
  enabled: Signal<boolean>;
  /** Flip the switch, remember it, and apply it to `engine`. */
  toggle(engine: RefObject<HlsJsP2PEngine | null>): void;
}

/** The viewer's remembered choice (read after hydration: the server renders "on"). */
export function useViewerChoice(): ViewerChoice {
  const enabled = useSignal(true);
  useEffect(() => {
    enabled.value = localStorage.getItem(VIEWER_CHOICE_KEY) !== "off";
  }, []);
  return {
    enabled,
    toggle(engine) {
      const next = !enabled.value;
      enabled.value = next;
      localStorage.setItem(VIEWER_CHOICE_KEY, next ? "on" : "off");
      engine.current?.applyDynamicConfig({ core: { isP2PDisabled: !next } });
    },
  };
}
