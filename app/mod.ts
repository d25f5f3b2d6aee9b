/**
 * The app's wiring: its settings, the state every route sees, and
 * `createApp`, which builds the request handler.
 * @module
 */
export {
  type AppConfig,
  configFromEnv,
  DEFAULT_MAX_REQUESTS_PER_ADDRESS,
} from "./config.ts";
export { type App, createApp } from "./create.ts";
export type { AppState } from "./state.ts";
