/**
 * The request handler of an app: static files, island bundles, then
 * middlewares and file-based routes, with `_404`/`_500` pages.
 * @module
 */
import type { ComponentType } from "preact";
import {
  buildIslands,
  BUNDLE_PREFIX,
  IslandBundles,
  islandName,
  readBuild,
} from "./bundle.ts";
import { registerIsland, renderDocument } from "./render.ts";
import {
  buildRouteTable,
  matchRoute,
  middlewaresFor,
  type Route,
  type RouteTable,
} from "./router.ts";
import { StaticFiles } from "./static.ts";
import {
  type Handler,
  type HandlerContext,
  type Handlers,
  HTTP_METHODS,
  type HttpMethod,
  type Manifest,
  type PageProps,
  type State,
} from "./types.ts";
import { log } from "../utils/log.ts";

/** Options of {@linkcode createHandler}. */
export interface AppOptions {
  /** Seed of every request's `ctx.state` (shallow-copied per request). */
  state?: State;
  /**
   * Where prebuilt islands are (`deno task build` writes `_build/`). When it
   * has none, islands are bundled on first use. `false` always rebuilds.
   */
  buildDir?: URL | false;
}

/** A request handler like `Deno.serve` takes. */
export type AppHandler = (
  req: Request,
  info?: Deno.ServeHandlerInfo,
) => Promise<Response>;

/** Register the manifest's islands and prepare their bundles. */
function prepareIslands(
  manifest: Manifest,
  buildDir: URL | false,
): IslandBundles {
  const root = new URL(".", manifest.baseUrl);
  const files = Object.keys(manifest.islands);
  for (const [file, mod] of Object.entries(manifest.islands)) {
    if (typeof mod.default !== "function") {
      throw new TypeError(
        `Invalid island ${file}: it must export a default component`,
      );
    }
    registerIsland(islandName(file), mod.default as ComponentType<unknown>);
  }
  return new IslandBundles(async () => {
    const prebuilt = buildDir ? await readBuild(buildDir) : undefined;
    if (prebuilt) {
      log.info("islands.prebuilt", { buildId: prebuilt.buildId });
      return prebuilt;
    }
    const started = performance.now();
    const build = await buildIslands(root, files);
    log.info("islands.built", {
      buildId: build.buildId,
      ms: Math.round(performance.now() - started),
    });
    return build;
  });
}

function allowedMethods(route: Route): string {
  if (typeof route.handler === "function") return HTTP_METHODS.join(", ");
  const methods = new Set(Object.keys(route.handler ?? {}));
  if (route.page || methods.has("GET")) methods.add("GET").add("HEAD");
  return [...methods].join(", ");
}

function pickHandler(route: Route, method: string): Handler | undefined {
  const { handler } = route;
  if (typeof handler === "function") return handler;
  const handlers: Handlers = handler ?? {};
  const own = handlers[method as HttpMethod];
  if (own) return own;
  if (method === "HEAD" && handlers.GET) return handlers.GET;
  if ((method === "GET" || method === "HEAD") && route.page) {
    return (_req, ctx) => ctx.render();
  }
  return undefined;
}

/**
 * Build the app's request handler from its manifest.
 *
 * @example
 * ```ts no-eval
 * import manifest from "./fresh.gen.ts";
 * Deno.serve(await createHandler(manifest));
 * ```
 */
export function createHandler(
  manifest: Manifest,
  options: AppOptions = {},
): AppHandler {
  const root = new URL(".", manifest.baseUrl);
  const table: RouteTable = buildRouteTable(manifest);
  const staticFiles = new StaticFiles(new URL("static/", root));
  const bundles = prepareIslands(
    manifest,
    options.buildDir ?? new URL("_build/", root),
  );
  const assets = () => bundles.assets();

  async function renderPage(
    route: Route | undefined,
    props: PageProps,
    init: ResponseInit,
  ): Promise<Response> {
    if (!route?.page) {
      return new Response(
        init.status === 404 ? "Not found" : "Internal server error",
        init,
      );
    }
    const html = await renderDocument({
      app: table.app,
      page: route.page,
      props,
      assets,
    });
    const headers = new Headers(init.headers);
    if (!headers.has("content-type")) {
      headers.set("content-type", "text/html; charset=utf-8");
    }
    return new Response(html, { ...init, headers });
  }

  function context(
    url: URL,
    route: Route | undefined,
    params: Record<string, string>,
    info: Deno.ServeHandlerInfo | undefined,
  ): HandlerContext {
    const state: State = { ...options.state };
    const pattern = route?.pattern ?? "";
    const ctx: HandlerContext = {
      params,
      state,
      url,
      route: pattern,
      remoteAddr: info?.remoteAddr,
      render: (data, init = {}) =>
        renderPage(route, { url, params, data, state, route: pattern }, init),
      renderNotFound: () =>
        renderPage(table.notFound, {
          url,
          params,
          data: undefined,
          state,
          route: pattern,
        }, {
          status: 404,
        }),
      next: () => Promise.resolve(new Response("Not found", { status: 404 })),
    };
    return ctx;
  }

  async function handleRoute(
    req: Request,
    ctx: HandlerContext,
    route: Route | undefined,
  ): Promise<Response> {
    if (!route) return ctx.renderNotFound();
    const handler = pickHandler(route, req.method);
    if (!handler) {
      return new Response("Method not allowed", {
        status: 405,
        headers: { allow: allowedMethods(route) },
      });
    }
    return await handler(req, ctx);
  }

  async function handle(
    req: Request,
    info?: Deno.ServeHandlerInfo,
  ): Promise<Response> {
    const url = new URL(req.url);
    const isRead = req.method === "GET" || req.method === "HEAD";
    if (isRead && url.pathname.startsWith(BUNDLE_PREFIX)) {
      return await bundles.serve(
        url.pathname,
        req.headers.get("accept-encoding") ?? "",
      );
    }
    if (isRead) {
      const file = await staticFiles.serve(req, url.pathname);
      if (file) return file;
    }
    const match = matchRoute(table, url);
    const ctx = context(url, match?.route, match?.params ?? {}, info);
    const chain = middlewaresFor(table, url.pathname);
    let index = 0;
    ctx.next = () => {
      const middleware = chain[index++];
      if (middleware) return Promise.resolve(middleware(req, ctx));
      return handleRoute(req, ctx, match?.route);
    };
    try {
      return await ctx.next();
    } catch (error) {
      log.error("request.failed", {
        method: req.method,
        path: url.pathname,
        error: String(error),
      });
      const props = {
        url,
        params: ctx.params,
        data: undefined,
        state: ctx.state,
        route: ctx.route,
        error,
      };
      try {
        return await renderPage(table.error, props, { status: 500 });
      } catch {
        return new Response("Internal server error", { status: 500 });
      }
    }
  }

  return async (req, info) => {
    const response = await handle(req, info);
    if (req.method === "HEAD" && response.body) {
      return new Response(null, {
        status: response.status,
        headers: response.headers,
      });
    }
    return response;
  };
}
