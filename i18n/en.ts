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
  live: "LIVE",
  onDemand: "On demand",
  lineup: "Channels",
  goLive: "Go live",
  behindLive: (seconds: number) => `${seconds} s behind live`,
  p2pTitle: "Peer-to-peer",
  p2pActive: "P2P on: sharing with other viewers",
  p2pWaiting: "P2P on: looking for other viewers…",
  p2pStarting: "Starting P2P…",
  p2pOffOperator: "P2P is off on this site; playing over HTTP",
  p2pOffViewer: "P2P is off (your choice); playing over HTTP",
  p2pOffWebRTC: "P2P is off: this browser has no WebRTC; playing over HTTP",
  p2pOffTracker: "P2P paused: tracker unreachable; playing over HTTP",
  p2pOffNative: "P2P is off with native HLS playback",
  p2pToggle: "Share with viewers",
  p2pPeers: (n: number) => (n === 1 ? "1 peer" : `${n} peers`),
  p2pDown: "Download",
  p2pUp: "Upload",
  p2pRatio: "From peers",
  p2pViaP2P: "Via P2P",
  p2pViaHttp: "Via HTTP",
  p2pUploaded: "Uploaded",
  p2pSegments: "Segments (P2P/HTTP)",
  p2pChart: "Throughput in the last minute: P2P and HTTP",
};

/** The shape every language provides. */
export type Messages = typeof en;
