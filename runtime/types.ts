/**
 * Types shared by route modules, islands and the runtime. They follow the
 * shapes of Fresh 1.x so a Fresh developer feels at home.
 * @module
 */
import type { ComponentType, JSX } from "preact";

/** Per-request state shared by middlewares and handlers. */
export type State = Record<string, unknown>;

/** Props given to a page component. */
export interface PageProps<Data = unknown, S = State> {
  /** The request URL. */
  url: URL;
  /** Route parameters, e.g. `{ id: "demo" }` for `/watch/[id].tsx`. */
  params: Record<string, string>;
  /** Whatever the handler passed to `ctx.render(data)`. */
  data: Data;
  /** Request state filled by middlewares. */
  state: S;
  /** The route pattern that matched, e.g. `/watch/:id`. */
  route: string;
  /** Set on `_500` pages: the error that was thrown. */
  error?: unknown;
}

/** Props given to `routes/_app.tsx`. */
export interface AppProps<S = State>
  extends Omit<PageProps<unknown, S>, "data"> {
  /** The page (or error page) to render inside the app shell. */
  Component: ComponentType<Record<string, never>>;
}

/** The context a handler or middleware receives. */
export interface HandlerContext<Data = unknown, S = State> {
  /** Route parameters of the matched route. */
  params: Record<string, string>;
  /** Request state; seeded by the server, extended by middlewares. */
  state: S;
  /** The request URL, parsed once. */
  url: URL;
  /** The route pattern that matched. */
  route: string;
  /** Render the route's page component with `data`. */
  render(data?: Data, init?: ResponseInit): Promise<Response>;
  /** Render the 404 page. */
  renderNotFound(): Promise<Response>;
  /** In middlewares: continue with the next middleware or the route. */
  next(): Promise<Response>;
  /** The remote address of the client, when known. */
  remoteAddr?: Deno.Addr;
}

/** A request handler of a route. */
export type Handler<Data = unknown, S = State> = (
  req: Request,
  ctx: HandlerContext<Data, S>,
) => Response | Promise<Response>;

/** Per-method handlers of a route. */
export type Handlers<Data = unknown, S = State> = {
  [method in HttpMethod]?: Handler<Data, S>;
};

/** The HTTP methods a per-method handler object may define. */
export const HTTP_METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
] as const;

/** The HTTP methods a route can handle. */
export type HttpMethod = typeof HTTP_METHODS[number];

/**
 * What a module under `routes/` or `islands/` exports, as the manifest sees
 * it. Exports are `unknown` here because each module types them its own way;
 * the router checks their shapes when it loads the manifest.
 */
export interface RouteModule {
  /** A page component (routes) or the island component (islands). */
  default?: unknown;
  /** A handler function, per-method handlers, or a middleware chain. */
  handler?: unknown;
}

/** The generated `fresh.gen.ts` manifest. */
export interface Manifest {
  /** Route modules keyed by their path, e.g. `./routes/index.tsx`. */
  routes: Record<string, RouteModule>;
  /** Island modules keyed by their path, e.g. `./islands/Player.tsx`. */
  islands: Record<string, RouteModule>;
  /** `import.meta.url` of the manifest: the project root. */
  baseUrl: string;
}

/** Re-exported so pages can type their JSX without importing preact. */
export type { JSX };
