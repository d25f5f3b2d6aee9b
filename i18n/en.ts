/**
 * English UI text. Every string the site shows lives here and in
 * `pt_br.ts`; add a key to both.
 * @module
 */

/** English messages. */
export const en = {
  siteName: "RedFlix",
  tagline: "Live TV and shows, shared between viewers",
  searchLabel: "Search channels",
  searchPlaceholder: "Channel name…",
  searchButton: "Search",
  allCategories: "All",
  noChannels: "No channels match your search.",
  channelCount: (n: number) => (n === 1 ? "1 channel" : `${n} channels`),
  watch: "Watch",
  programs: "Schedule",
  backToChannels: "All channels",
  notFoundTitle: "Page not found",
  notFoundText: "This page or channel does not exist.",
  errorTitle: "Something went wrong",
  errorText: "The server could not show this page. Try again in a moment.",
  embeddedPlayer: "Embedded player",
  playerLoading: "Loading…",
  playerBuffering: "Buffering…",
  playerError: "Playback failed",
  playerRetry: "Try again",
  playerUnmute: "Unmute",
  playerMute: "Mute",
  playerQuality: "Quality",
  playerQualityAuto: "Auto",
  playerUnsupported: "This browser cannot play HLS video.",
  language: "Language",
};

/** The shape every language provides. */
export type Messages = typeof en;
