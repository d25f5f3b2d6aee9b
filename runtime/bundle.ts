/**
 * Island bundles: `deno bundle` turns the boot module and every island into
 * browser code (code-split, minified). A build is content-addressed: its id is
 * a hash of its files, so URLs can be cached forever. `deno task build`
 * writes one to `_build/` for Deno Deploy; otherwise it is built on first use.
 * @module
 */
import type { IslandAssets } from "./render.ts";
import { digestHex } from "../utils/hex.ts";
import { reachableFiles } from "./module_graph.ts";

/** The URL prefix bundles are served under: `/_islands/<buildId>/<file>`. */
export const BUNDLE_PREFIX = "/_islands/";

/** A finished build: its id and files. */
export interface IslandBuild {
  /** Hash of the build's files. */
  buildId: string;
  /** Output files keyed by their path, e.g. `islands/Player.js`. */
  files: Map<string, Uint8Array<ArrayBuffer>>;
  /** Output path of each island, by island name. */
  islands: Record<string, string>;
  /** Output path of the boot module. */
  boot: string;
}

/** The browser entry of the runtime, relative to the project root. */
export const BOOT_ENTRY = "runtime/client/boot.ts";

/**
 * The name of an island from its manifest key.
 *
 * @example
 * ```ts
 * islandName("./islands/Player.tsx"); // "Player"
 * ```
 */
export function islandName(file: string): string {
  const match = /^\.\/islands\/(.+)\.(tsx|ts|jsx|js)$/.exec(file);
  if (!match?.[1]) {
    throw new TypeError(
      `Invalid island file: "${file}" is not under ./islands/`,
    );
  }
  return match[1];
}

function outputPath(entry: string): string {
  return entry.replace(/^\.\//, "").replace(/\.(tsx|ts|jsx)$/, ".js");
}

async function readTree(
  dir: string,
  prefix = "",
): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
  const files = new Map<string, Uint8Array<ArrayBuffer>>();
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) {
      for (
        const [name, data] of await readTree(path, `${prefix}${entry.name}/`)
      ) {
        files.set(name, data);
      }
    } else if (entry.isFile) {
      files.set(prefix + entry.name, await Deno.readFile(path));
    }
  }
  return files;
}

async function hashFiles(
  files: Map<string, Uint8Array<ArrayBuffer>>,
): Promise<string> {
  const names = [...files.keys()].sort();
  const parts: Uint8Array[] = [];
  const encoder = new TextEncoder();
  for (const name of names) {
    parts.push(encoder.encode(`${name}\0`), files.get(name)!);
  }
  const all = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return (await digestHex(all)).slice(0, 16);
}

/** Bundle the boot module and the given islands with `deno bundle`. */
export async function buildIslands(
  root: URL,
  islandFiles: string[],
): Promise<IslandBuild> {
  const outDir = await Deno.makeTempDir({ prefix: "redflix-islands-" });
  try {
    const entries = [
      BOOT_ENTRY,
      ...islandFiles.map((file) => file.replace(/^\.\//, "")),
    ];
    const command = new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--platform=browser",
        "--code-splitting",
        "--minify",
        "--outdir",
        outDir,
        ...entries,
      ],
      cwd: root.pathname,
      // p2p-media-loader ships a self-contained browser build under this condition.
      env: { DENO_CONDITIONS: "p2pml:core-as-bundle", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    });
    const { code, stderr } = await command.output();
    if (code !== 0) {
      throw new Error(
        `deno bundle failed (exit ${code}):\n${
          new TextDecoder().decode(stderr)
        }`,
      );
    }
    const files = await readTree(outDir);
    const islands: Record<string, string> = {};
    for (const file of islandFiles) {
      const path = outputPath(file);
      if (!files.has(path)) {
        throw new Error(`deno bundle did not write ${path}`);
      }
      islands[islandName(file)] = path;
    }
    const boot = outputPath(BOOT_ENTRY);
    if (!files.has(boot)) throw new Error(`deno bundle did not write ${boot}`);
    return { buildId: await hashFiles(files), files, islands, boot };
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
}

interface BuildMeta {
  buildId: string;
  islands: Record<string, string>;
  boot: string;
}

/** Write a build to `dir` (`_build/` for Deno Deploy). */
export async function writeBuild(build: IslandBuild, dir: URL): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  for (const [name, data] of build.files) {
    const file = new URL(`files/${name}`, dir);
    await Deno.mkdir(new URL(".", file), { recursive: true });
    await Deno.writeFile(file, data);
  }
  const meta: BuildMeta = {
    buildId: build.buildId,
    islands: build.islands,
    boot: build.boot,
  };
  await Deno.writeTextFile(
    new URL("meta.json", dir),
    JSON.stringify(meta, null, 2) + "\n",
  );
}

/** Read a build written by {@linkcode writeBuild}; `undefined` if there is none. */
export async function readBuild(dir: URL): Promise<IslandBuild | undefined> {
  let meta: BuildMeta;
  try {
    meta = JSON.parse(await Deno.readTextFile(new URL("meta.json", dir)));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`Invalid prebuilt islands in ${dir.pathname}: ${error}`);
  }
  const files = await readTree(new URL("files", dir).pathname);
  return { ...meta, files };
}

/** Serves a build's files and tells pages where its islands are. */
export class IslandBundles {
  #load: () => Promise<IslandBuild>;
  #build?: Promise<IslandBuild>;
  /** Each file gzipped once (the build never changes under its id). */
  #gzipped = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

  /** `load` runs once, on first use. */
  constructor(load: () => Promise<IslandBuild>) {
    this.#load = load;
  }

  #get(): Promise<IslandBuild> {
    this.#build ??= this.#load().catch((error) => {
      this.#build = undefined; // let the next request try again
      throw error;
    });
    return this.#build;
  }

  /** The URLs of the boot module and the islands. */
  async assets(): Promise<IslandAssets> {
    const build = await this.#get();
    const base = `${BUNDLE_PREFIX}${build.buildId}/`;
    const islands: Record<string, string> = {};
    const preload: Record<string, string[]> = {};
    const boot = reachableFiles(build.boot, build.files);
    for (const [name, path] of Object.entries(build.islands)) {
      islands[name] = base + path;
      const files = new Set([...boot, ...reachableFiles(path, build.files)]);
      preload[name] = [...files].map((file) => base + file);
    }
    return { boot: base + build.boot, islands, preload };
  }

  /**
   * Serve `/_islands/<buildId>/<file>`, gzipped when `acceptEncoding`
   * allows it (hls.js is 590 KB as is, a fifth of that gzipped: on 4G, the
   * difference is seen before the first frame); 404 for other builds or files.
   */
  async serve(pathname: string, acceptEncoding = ""): Promise<Response> {
    const build = await this.#get();
    const rest = pathname.slice(BUNDLE_PREFIX.length);
    const slash = rest.indexOf("/");
    const name = rest.slice(slash + 1);
    const data = rest.slice(0, slash) === build.buildId
      ? build.files.get(name)
      : undefined;
    if (!data) return new Response("Not found", { status: 404 });
    const headers: Record<string, string> = {
      "content-type": "text/javascript; charset=utf-8",
      // Content-addressed: a new build gets a new URL.
      "cache-control": "public, max-age=31536000, immutable",
      "vary": "accept-encoding",
    };
    if (!/\bgzip\b/i.test(acceptEncoding)) {
      return new Response(data, { headers });
    }
    let gzipped = this.#gzipped.get(name);
    if (!gzipped) {
      gzipped = new Response(
        new Blob([data]).stream().pipeThrough(new CompressionStream("gzip")),
      ).bytes();
      this.#gzipped.set(name, gzipped);
    }
    return new Response(await gzipped, {
      headers: { ...headers, "content-encoding": "gzip" },
    });
  }
}
