/**
 * Server rendering of pages: runs `_app` around the page, marks each
 * island with a `<redflix-island>` element, writes the islands' props as
 * JSON and adds the boot script that hydrates them in the browser.
 * @module
 */
import {
  type ComponentChildren,
  type ComponentType,
  createContext,
  Fragment,
  h,
  options,
  type VNode,
} from "preact";
import { useContext } from "preact/hooks";
import { renderToString } from "preact-render-to-string";
import { HeadContext } from "./head.ts";
import { ISLAND_DATA_ID, ISLAND_TAG } from "./island_markers.ts";
import { serializeProps } from "./serialize.ts";
import type { AppProps, PageProps } from "./types.ts";

/** Where the browser loads island code from. */
export interface IslandAssets {
  /** URL of the boot module. */
  boot: string;
  /** URL of each island's module, by island name. */
  islands: Record<string, string>;
  /**
   * URLs of the modules each island loads, lazy chunks included (boot's
   * too), by island name: the page preloads them (runtime/module_graph.ts).
   */
  preload?: Record<string, readonly string[]>;
}

interface IslandUse {
  name: string;
  props: string;
}

interface RenderState {
  islands: IslandUse[];
}

const RenderStateContext = createContext<RenderState | null>(null);
const InsideIsland = createContext(false);
// Keyed by component identity; props types differ per island.
const islandNames = new Map<unknown, string>();
let creatingIsland = false;

interface MarkerProps {
  component: ComponentType<Record<string, unknown>>;
  props: Record<string, unknown>;
}

function IslandMarker({ component, props }: MarkerProps) {
  const state = useContext(RenderStateContext);
  creatingIsland = true;
  const inner = h(component, props);
  creatingIsland = false;
  // An island inside an island hydrates as part of its parent.
  if (useContext(InsideIsland) || !state) return inner;
  const name = islandNames.get(component)!;
  if ("children" in props) {
    throw new TypeError(
      `Island ${name} was given children: pass data as props instead`,
    );
  }
  const id = state.islands.push({ name, props: serializeProps(props) }) - 1;
  return h(
    ISLAND_TAG,
    { "data-island": name, "data-id": String(id), style: "display:contents" },
    h(InsideIsland.Provider, { value: true }, inner),
  );
}

const previousVnodeHook = options.vnode;
options.vnode = (vnode) => {
  const type = vnode.type as ComponentType;
  if (!creatingIsland && typeof type === "function" && islandNames.has(type)) {
    const props = vnode.props as Record<string, unknown>;
    (vnode as VNode<MarkerProps>).props = {
      component: type,
      props,
      children: undefined,
    };
    (vnode as VNode<MarkerProps>).type = IslandMarker;
  }
  previousVnodeHook?.(vnode);
};

/** Register an island component so server renders mark it for hydration. */
export function registerIsland<P>(
  name: string,
  component: ComponentType<P>,
): void {
  islandNames.set(component, name);
}

function DefaultApp({ Component }: AppProps) {
  return h(
    "html",
    null,
    h("head", null, h("meta", { charset: "utf-8" })),
    h("body", null, h(Component, null)),
  );
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(
    /</g,
    "&lt;",
  );
}

/** What {@linkcode renderDocument} needs to render one page. */
export interface RenderInput {
  /** `_app.tsx`, if the app has one. */
  app?: ComponentType<AppProps>;
  /** The page component. */
  page: ComponentType<PageProps>;
  /** The page's props. */
  props: PageProps;
  /** Island code URLs; resolved only when the page uses an island. */
  assets: () => Promise<IslandAssets>;
}

/** Render a full HTML document for a page. */
export async function renderDocument(input: RenderInput): Promise<string> {
  const state: RenderState = { islands: [] };
  const head: ComponentChildren[] = [];
  const { page, props } = input;
  const Component = () => h(page, props);
  const { data: _data, ...appProps } = props;
  const tree = h(
    RenderStateContext.Provider,
    { value: state },
    h(
      HeadContext.Provider,
      { value: head },
      h(input.app ?? DefaultApp, { ...appProps, Component }),
    ),
  );
  let html = renderToString(tree);
  if (head.length > 0) {
    const extra = renderToString(h(Fragment, null, head));
    // A function replacement: `$&` and friends in page text stay literal.
    html = html.replace("</head>", () => `${extra}</head>`);
  }
  if (state.islands.length > 0) {
    const assets = await input.assets();
    const used = [...new Set(state.islands.map((island) => island.name))];
    const modules: Record<string, string> = {};
    for (const name of used) {
      const url = assets.islands[name];
      if (!url) {
        throw new Error(`Island ${name} is missing from the islands bundle`);
      }
      modules[name] = url;
    }
    const data = `{"modules":${JSON.stringify(modules)},"props":[${
      state.islands.map((island) => island.props).join(",")
    }]}`.replace(/</g, "\\u003c");
    const scripts =
      `<script type="application/json" id="${ISLAND_DATA_ID}">${data}</script>` +
      `<script type="module" src="${escapeAttribute(assets.boot)}"></script>`;
    html = html.includes("</body>")
      ? html.replace("</body>", () => `${scripts}</body>`)
      : html + scripts;
    // Every module the islands will load, fetched at once (not one level of
    // imports per round trip).
    const preload = new Set(
      used.flatMap((name) => assets.preload?.[name] ?? []),
    );
    if (preload.size > 0 && html.includes("</head>")) {
      const links = [...preload].map((url) =>
        `<link rel="modulepreload" href="${escapeAttribute(url)}">`
      ).join("");
      html = html.replace("</head>", () => `${links}</head>`);
    }
  }
  return `<!DOCTYPE html>${html}`;
}
