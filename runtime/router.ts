/**
 * File-based routing: turns the manifest's `routes/` modules into URL
 * patterns, orders them (static before dynamic before catch-all) and
 * matches requests with the Web-standard `URLPattern`.
 * @module
 */
import type { ComponentType } from "preact";
import {
  type AppProps,
  type Handler,
  type Handlers,
  HTTP_METHODS,
  type Manifest,
  type PageProps,
  type RouteModule,
} from "./types.ts";

/** A route of the app, ready to match and serve. */
export interface Route {
  /** The module path in the manifest, e.g. `./routes/watch/[id].tsx`. */
  file: string;
  /** The URL pattern, e.g. `/watch/:id`. */
  pattern: string;
  /** The compiled pattern. */
  urlPattern: URLPattern;
  /** The page component, if the module has one. */
  page?: ComponentType<PageProps>;
  /** One handler for all methods, or handlers per method. */
  handler?: Handler | Handlers;
}

/** A middleware and the path prefix it applies to. */
export interface Middleware {
  /** `/` for `routes/_middleware.ts`, `/tracker` for `routes/tracker/_middleware.ts`. */
  prefix: string;
  /** The chain, run in order. */
  handlers: Handler[];
}

/** Every route of an app, with the special `_app`, `_404`, `_500` pages. */
export interface RouteTable {
  /** Ordinary routes, most specific first. */
  routes: Route[];
  /** Middlewares, outermost (shortest prefix) first. */
  middlewares: Middleware[];
  /** `_app.tsx`: the document shell. */
  app?: ComponentType<AppProps>;
  /** `_404.tsx`. */
  notFound?: Route;
  /** `_500.tsx`. */
  error?: Route;
}

/**
 * Map a route file to its URL pattern, following Fresh 1.x conventions.
 *
 * @example
 * ```ts
 * patternFromFile("./routes/watch/[id].tsx"); // "/watch/:id"
 * patternFromFile("./routes/docs/[...path].tsx"); // "/docs/:path*"
 * patternFromFile("./routes/index.tsx"); // "/"
 * ```
 */
export function patternFromFile(file: string): string {
  const match = /^\.\/routes\/(.+)\.(tsx|ts|jsx|js)$/.exec(file);
  if (!match?.[1]) {
    throw new TypeError(`Invalid route file: "${file}" is not under ./routes/`);
  }
  const segments: string[] = [];
  for (const segment of match[1].split("/")) {
    if (/^\(.+\)$/.test(segment)) continue; // route groups do not show in URLs
    const rest = /^\[\.\.\.([A-Za-z_][A-Za-z0-9_]*)\]$/.exec(segment);
    const param = /^\[([A-Za-z_][A-Za-z0-9_]*)\]$/.exec(segment);
    if (rest) segments.push(`:${rest[1]}*`);
    else if (param) segments.push(`:${param[1]}`);
    else if (/[[\]]/.test(segment)) {
      throw new TypeError(`Invalid route segment "${segment}" in ${file}`);
    } else segments.push(segment);
  }
  if (segments.at(-1) === "index") segments.pop();
  return "/" + segments.join("/");
}

function segmentRank(segment: string): number {
  if (segment.startsWith(":")) return segment.endsWith("*") ? 2 : 1;
  return 0;
}

/**
 * Order patterns so the most specific wins: segment by segment, static
 * before `:param` before `:rest*`; then longer before shorter.
 */
export function compareRoutePatterns(a: string, b: string): number {
  const as = a.split("/").filter(Boolean);
  const bs = b.split("/").filter(Boolean);
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const diff = segmentRank(as[i]!) - segmentRank(bs[i]!);
    if (diff !== 0) return diff;
  }
  if (as.length !== bs.length) {
    // A shorter pattern that ends in a catch-all is the less specific one.
    const lastA = segmentRank(as.at(-1) ?? "");
    const lastB = segmentRank(bs.at(-1) ?? "");
    if (lastA !== lastB) return lastA - lastB;
    return bs.length - as.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function isComponent<P>(value: unknown): value is ComponentType<P> {
  return typeof value === "function";
}

function checkHandler(
  value: unknown,
  file: string,
): Handler | Handlers | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "function") return value as Handler;
  if (typeof value === "object" && value !== null) {
    for (const [method, fn] of Object.entries(value)) {
      if (!(HTTP_METHODS as readonly string[]).includes(method)) {
        throw new TypeError(
          `Invalid handler in ${file}: unknown method "${method}"`,
        );
      }
      if (typeof fn !== "function") {
        throw new TypeError(
          `Invalid handler in ${file}: ${method} is not a function`,
        );
      }
    }
    return value as Handlers;
  }
  throw new TypeError(
    `Invalid handler in ${file}: expected a function or an object`,
  );
}

function toRoute(file: string, mod: RouteModule): Route {
  const pattern = patternFromFile(file);
  const page = isComponent<PageProps>(mod.default) ? mod.default : undefined;
  const handler = checkHandler(mod.handler, file);
  if (!page && !handler) {
    throw new TypeError(
      `Invalid route ${file}: export a handler or a default component`,
    );
  }
  return {
    file,
    pattern,
    urlPattern: new URLPattern({ pathname: pattern }),
    page,
    handler,
  };
}

/** Build the route table from a manifest, checking every module's exports. */
export function buildRouteTable(manifest: Manifest): RouteTable {
  const table: RouteTable = { routes: [], middlewares: [] };
  for (const [file, mod] of Object.entries(manifest.routes)) {
    const name = file.split("/").at(-1)?.replace(/\.(tsx|ts|jsx|js)$/, "");
    if (name === "_middleware") {
      const chain = Array.isArray(mod.handler) ? mod.handler : [mod.handler];
      if (!chain.every((fn) => typeof fn === "function")) {
        throw new TypeError(
          `Invalid middleware in ${file}: expected functions`,
        );
      }
      const prefix = patternFromFile(
        file.replace(/_middleware\.(tsx?|jsx?)$/, "index.ts"),
      );
      table.middlewares.push({ prefix, handlers: chain as Handler[] });
    } else if (name === "_app") {
      if (!isComponent<AppProps>(mod.default)) {
        throw new TypeError(`Invalid ${file}: no default component`);
      }
      table.app = mod.default;
    } else if (name === "_404") {
      table.notFound = toRoute(file.replace("_404", "index"), mod);
    } else if (name === "_500") {
      table.error = toRoute(file.replace("_500", "index"), mod);
    } else {
      table.routes.push(toRoute(file, mod));
    }
  }
  table.routes.sort((a, b) => compareRoutePatterns(a.pattern, b.pattern));
  table.middlewares.sort((a, b) => a.prefix.length - b.prefix.length);
  return table;
}

/** Find the route for a URL and its parameters (decoded). */
export function matchRoute(
  table: RouteTable,
  url: URL,
): { route: Route; params: Record<string, string> } | undefined {
  for (const route of table.routes) {
    const match = route.urlPattern.exec({ pathname: url.pathname });
    if (!match) continue;
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(match.pathname.groups)) {
      if (value === undefined) continue;
      try {
        params[key] = decodeURIComponent(value);
      } catch {
        params[key] = value; // malformed escapes stay as sent; handlers validate
      }
    }
    return { route, params };
  }
  return undefined;
}

/** The middleware chain that applies to a path, outermost first. */
export function middlewaresFor(table: RouteTable, pathname: string): Handler[] {
  const chain: Handler[] = [];
  for (const { prefix, handlers } of table.middlewares) {
    if (
      prefix === "/" || pathname === prefix || pathname.startsWith(prefix + "/")
    ) {
      chain.push(...handlers);
    }
  }
  return chain;
}
