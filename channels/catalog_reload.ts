/**
 * Reloads the catalog without a restart: when `CHANNELS_FILE` changes on
 * disk, or on `SIGHUP`. A broken or empty new file keeps the catalog being
 * served; what changed is logged (added, removed, skipped).
 * @module
 */
import { dirname, resolve } from "node:path";
import { log } from "../utils/log.ts";
import { type Catalog, readCatalog } from "./catalog.ts";

/** Channels added and removed between two catalogs. */
export function catalogChanges(
  before: Catalog,
  after: Catalog,
): { added: number; removed: number } {
  const old = new Set(before.channels.map((c) => c.id));
  const now = new Set(after.channels.map((c) => c.id));
  return {
    added: [...now].filter((id) => !old.has(id)).length,
    removed: [...old].filter((id) => !now.has(id)).length,
  };
}

/**
 * Read `file` again and hand the new catalog to `apply`; keeps `current`
 * (returns `undefined`) when the file is unreadable or holds no channel.
 */
export async function reloadCatalog(
  file: string,
  current: Catalog,
  apply: (next: Catalog) => void,
): Promise<Catalog | undefined> {
  let next: Catalog;
  try {
    next = await readCatalog(file);
  } catch (error) {
    log.error("catalog.reload_failed", {
      file,
      error: String(error),
      kept: `${current.channels.length} channels`,
    });
    return undefined;
  }
  next.inheritProbes(current);
  apply(next);
  log.info("catalog.reloaded", {
    file,
    channels: next.channels.length,
    ...catalogChanges(current, next),
    skipped: next.skipped,
  });
  return next;
}

/**
 * Reload `file` when it changes (debounced) or the process gets `SIGHUP`.
 * Returns a function that stops watching.
 */
export function watchCatalog(
  file: string,
  current: () => Catalog,
  apply: (next: Catalog) => void,
  debounceMs = 500,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reloading = Promise.resolve();
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      reloading = reloading.then(async () => {
        await reloadCatalog(file, current(), apply);
      });
    }, debounceMs);
  };
  let watcher: Deno.FsWatcher | undefined;
  const path = resolve(file);
  try {
    // The folder, not the file: editors and deploy tools replace the file.
    watcher = Deno.watchFs(dirname(path), { recursive: false });
    (async () => {
      for await (const event of watcher!) {
        if (event.kind !== "access" && event.paths.includes(path)) schedule();
      }
    })().catch(() => {});
  } catch (error) {
    log.warn("catalog.watch_unavailable", { file, error: String(error) });
  }
  let signals = false;
  try {
    Deno.addSignalListener("SIGHUP", schedule);
    signals = true;
  } catch {
    // No signals here (Windows, Deno Deploy): file changes only.
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
    if (signals) Deno.removeSignalListener("SIGHUP", schedule);
  };
}
