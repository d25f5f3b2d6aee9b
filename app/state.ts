/**
 * What every request's `ctx.state` holds: the app's services, seeded by
 * `main.ts`, and per-request facts set by `routes/_middleware.ts`.
 * @module
 */
import type { Catalog } from "../channels/catalog.ts";
import type { GuideService } from "../channels/guide_service.ts";
import type { Locale, Messages } from "../i18n/mod.ts";
import type { Aggregator } from "../analytics/aggregator.ts";
import type { SessionIssuer } from "../analytics/session_token.ts";
import type { LiveSources } from "../live/source.ts";
import type { KeyedRateLimiter } from "../utils/rate_limit.ts";
import type { PlayerP2PConfig } from "../p2p/config.ts";
import type { TurnCredentials } from "../p2p/turn.ts";
import type { Tracker } from "../tracker/mod.ts";

/** Request state of RedFlix routes. */
export interface AppState extends Record<string, unknown> {
  /** The channel catalog. */
  catalog: Catalog;
  /** The program guide, refreshed from the catalog's XMLTV sources. */
  guide?: GuideService;
  /** Time zone of times rendered on the server (`GUIDE_TIME_ZONE`). */
  timeZone?: string;
  /** The WebSocket tracker. */
  tracker: Tracker;
  /** P2P settings handed to players. */
  p2p: PlayerP2PConfig;
  /** Mints TURN credentials per page view, when a TURN server is set. */
  turn?: TurnCredentials;
  /** Simulated live channels made from static media. */
  live: LiveSources;
  /** Player-reported P2P figures. */
  analytics: Aggregator;
  /** Mints the session tokens players report with, one per page view. */
  sessions: SessionIssuer;
  /** Rate limit of player reports, per IP. */
  reportLimiter: KeyedRateLimiter;
  /** The viewer's language, from `Accept-Language` or `?lang=`. */
  locale: Locale;
  /** The messages of that language. */
  t: Messages;
}
