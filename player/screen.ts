/**
 * The screen around the player: full screen (turned to landscape on phones
 * where the browser allows it) and Picture-in-Picture. Browser-only.
 * @module
 */

/** Whether this browser can put an element in full screen. */
export function canFullscreen(): boolean {
  return document.fullscreenEnabled ||
    "webkitEnterFullscreen" in HTMLVideoElement.prototype;
}

/** Whether this browser can float a video (Picture-in-Picture). */
export function canPictureInPicture(): boolean {
  return document.pictureInPictureEnabled === true;
}

/**
 * Toggle full screen for `container` (iOS Safari: the video's own full
 * screen); entering it locks a phone to landscape where supported.
 */
export async function toggleFullscreen(
  container: HTMLElement,
  video: HTMLVideoElement,
): Promise<void> {
  if (document.fullscreenElement) {
    await document.exitFullscreen().catch(() => {});
    return;
  }
  if (!document.fullscreenEnabled) {
    (video as HTMLVideoElement & { webkitEnterFullscreen?: () => void })
      .webkitEnterFullscreen?.();
    return;
  }
  await container.requestFullscreen({ navigationUI: "hide" }).catch(() => {});
  const orientation = screen.orientation as ScreenOrientation & {
    lock?: (orientation: string) => Promise<void>;
  };
  // Only phones and tablets lock; desktops refuse, which is fine.
  await orientation?.lock?.("landscape").catch(() => {});
}

/** Float `video` over other apps, or bring it back. */
export async function togglePictureInPicture(
  video: HTMLVideoElement,
): Promise<void> {
  if (document.pictureInPictureElement) {
    await document.exitPictureInPicture().catch(() => {});
  } else {
    await video.requestPictureInPicture().catch(() => {});
  }
}
