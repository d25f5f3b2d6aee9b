/**
 * Applies the upload policy (upload_policy.ts) to a running P2P engine and
 * keeps it current: the connection changing (Wi-Fi → 4G), Data Saver, the
 * battery, the page hidden and shown again, and the viewer's opt-in.
 * Browser-only.
 * @module
 */
import { type Signal, useSignal } from "@preact/signals";
import type { RefObject } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import {
  decideUpload,
  type DeviceFacts,
  type UploadDecision,
} from "../p2p/upload_policy.ts";

/** Where the viewer's "share on mobile data" opt-in is remembered. */
export const UPLOAD_OPT_IN_KEY = "redflix.upload";

/** A hidden page keeps its peer connections this long, then lets them go (ms). */
export const HIDDEN_RELEASE_MS = 30_000;

/** `navigator.connection`, where the browser has it (Chromium on Android). */
interface NetworkInformation extends EventTarget {
  type?: string;
  saveData?: boolean;
}

/** The Battery Status API's manager. */
interface BatteryManager extends EventTarget {
  level: number;
  charging: boolean;
}

/** The policy as the player shows and reports it. */
export interface UploadPolicy {
  /** The current decision. */
  decision: Signal<UploadDecision>;
  /** Whether the viewer opted in to uploading on mobile data, Data Saver or low battery. */
  optedIn: Signal<boolean>;
  /** Flip the opt-in and remember it. */
  toggleOptIn(): void;
}

/** What the browser says now. */
function readFacts(battery?: BatteryManager): DeviceFacts {
  const connection = (navigator as { connection?: NetworkInformation })
    .connection;
  return {
    connectionType: connection?.type,
    saveData: connection?.saveData,
    battery: battery
      ? { level: battery.level, charging: battery.charging }
      : undefined,
    hidden: document.hidden,
  };
}

/**
 * Keep `engine`'s uploads following the policy (`optedInByDefault`: the
 * operator's `P2P_UPLOAD_ON_METERED`, until the viewer chooses). While the page is hidden it
 * uploads nothing; hidden longer than {@linkcode HIDDEN_RELEASE_MS}, P2P is
 * paused so its peer connections close, and comes back when the page does
 * (unless the viewer turned P2P off meanwhile: `p2pEnabled`).
 */
export function useUploadPolicy(
  engine: RefObject<HlsJsP2PEngine | null>,
  p2pEnabled: Signal<boolean>,
  optedInByDefault = false,
): UploadPolicy {
  const decision = useSignal<UploadDecision>({
    upload: true,
    reason: "unknown",
  });
  const optedIn = useSignal(false);
  const reevaluate = useRef(() => {});
  useEffect(() => {
    const remembered = localStorage.getItem(UPLOAD_OPT_IN_KEY);
    optedIn.value = remembered === null
      ? optedInByDefault
      : remembered === "on";
    let battery: BatteryManager | undefined;
    let released = false;
    let releaseTimer: ReturnType<typeof setTimeout> | undefined;
    let applied: boolean | undefined;
    let appliedTo: HlsJsP2PEngine | null = null;
    const update = () => {
      const next = decideUpload(readFacts(battery), optedIn.value);
      decision.value = next;
      const current = engine.current;
      if (current && (current !== appliedTo || next.upload !== applied)) {
        appliedTo = current;
        applied = next.upload;
        current.applyDynamicConfig({
          core: { isP2PUploadDisabled: !next.upload },
        });
      }
    };
    reevaluate.current = update;
    const onVisibility = () => {
      update();
      clearTimeout(releaseTimer);
      if (document.hidden) {
        releaseTimer = setTimeout(() => {
          if (!p2pEnabled.value) return;
          released = true;
          engine.current?.applyDynamicConfig({ core: { isP2PDisabled: true } });
        }, HIDDEN_RELEASE_MS);
      } else if (released) {
        released = false;
        if (p2pEnabled.value) {
          engine.current?.applyDynamicConfig({
            core: { isP2PDisabled: false },
          });
        }
      }
    };
    const connection = (navigator as { connection?: NetworkInformation })
      .connection;
    connection?.addEventListener("change", update);
    document.addEventListener("visibilitychange", onVisibility);
    const getBattery = (navigator as {
      getBattery?: () => Promise<BatteryManager>;
    }).getBattery;
    getBattery?.call(navigator).then((manager) => {
      battery = manager;
      manager.addEventListener("levelchange", update);
      manager.addEventListener("chargingchange", update);
      update();
    }).catch(() => {});
    // The engine is created after this effect: apply as soon as it is there.
    const timer = setInterval(() => {
      if (engine.current !== appliedTo) update();
    }, 250);
    update();
    return () => {
      clearInterval(timer);
      clearTimeout(releaseTimer);
      connection?.removeEventListener("change", update);
      document.removeEventListener("visibilitychange", onVisibility);
      battery?.removeEventListener("levelchange", update);
      battery?.removeEventListener("chargingchange", update);
    };
  }, []);
  return {
    decision,
    optedIn,
    toggleOptIn() {
      optedIn.value = !optedIn.value;
      localStorage.setItem(UPLOAD_OPT_IN_KEY, optedIn.value ? "on" : "off");
      reevaluate.current();
    },
  };
}
