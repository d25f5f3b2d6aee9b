/**
 * Which files of an island build a module loads: its static imports and the
 * chunks its `import()` calls fetch later (hls.js, p2p-media-loader), read
 * from the bundler's output. A page names them all as `modulepreload` links,
 * so the browser fetches them at once instead of one level of imports per
 * round trip (five levels for the player: boot, island, chunks, hls.js and
 * p2p-media-loader, then p2p-media-loader's core). On 4G, every level is a
 * round trip or more before the first frame.
 * @module
 */

/** `from"./x.js"`, `import"./x.js"`, `import("./x.js")` in bundler output. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;

/**
 * The relative module specifiers `code` imports, statically or lazily, in
 * order of appearance.
 *
 * @example
 * ```ts
 * moduleImports('import{a}from"./c.js";import("../hls.js")'); // ["./c.js", "../hls.js"]
 * ```
 */
export function moduleImports(code: string): string[] {
  return [...code.matchAll(IMPORT)].map((match) => match[1]!);
}

/** The build path `specifier` names from the module at build path `from`. */
function resolve(from: string, specifier: string): string {
  return new URL(specifier, `file:///${from}`).pathname.slice(1);
}

/**
 * `entry` and every build file it loads, directly or through others,
 * nearest first; specifiers that name no file of the build are skipped.
 */
export function reachableFiles(
  entry: string,
  files: ReadonlyMap<string, Uint8Array>,
): string[] {
  const decoder = new TextDecoder();
  const seen = new Set<string>([entry]);
  const order = [entry];
  for (let i = 0; i < order.length; i++) {
    const data = files.get(order[i]!);
    if (!data) continue;
    for (const specifier of moduleImports(decoder.decode(data))) {
      const path = resolve(order[i]!, specifier);
      if (seen.has(path) || !files.has(path)) continue;
      seen.add(path);
      order.push(path);
    }
  }
  return order;
}
