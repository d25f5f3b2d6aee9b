import type { ReadonlySignal } from "@preact/signals";
import type { Messages } from "../i18n/mod.ts";

/** Props of {@linkcode LiveStatus}. */
export interface LiveStatusProps {
  /** Seconds between the playhead and the newest segment's end. */
  edgeDistance: ReadonlySignal<number>;
  /** Distance beyond which the viewer is "behind" and offered to go live. */
  behindAfter: ReadonlySignal<number>;
  /** Jump to the live edge. */
  onGoLive: () => void;
  /** UI text. */
  t: Messages;
}

/** LIVE badge, the distance to the live edge and, when behind, "go live". */
export function LiveStatus(
  { edgeDistance, behindAfter, onGoLive, t }: LiveStatusProps,
) {
  const seconds = Math.round(edgeDistance.value);
  const behind = edgeDistance.value > behindAfter.value;
  return (
    <span
      class={`live-status ${behind ? "behind" : "at-edge"}`}
      data-edge-distance={edgeDistance.value.toFixed(1)}
    >
      <span class="live-badge">● {t.live}</span>
      <span class="live-distance">{t.behindLive(seconds)}</span>
      {behind && (
        <button type="button" class="go-live" onClick={onGoLive}>
          {t.goLive}
        </button>
      )}
    </span>
  );
}
