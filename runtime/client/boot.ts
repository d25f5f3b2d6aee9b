/**
 * Browser entry of the islands runtime: finds each `<redflix-island>` the
 * server rendered, loads the island's module and hydrates it in place with
 * its revived props.
 * @module
 */
import { type ComponentType, h, hydrate } from "preact";
import { ISLAND_DATA_ID, ISLAND_TAG } from "../island_markers.ts";
import { reviveProps, type SerializedProps } from "../serialize.ts";

interface IslandData {
  modules: Record<string, string>;
  props: SerializedProps[];
}

/** Hydrate every island on the page; resolves when all have hydrated. */
export async function boot(): Promise<void> {
  const script = document.getElementById(ISLAND_DATA_ID);
  if (!script?.textContent) return;
  const data = JSON.parse(script.textContent) as IslandData;
  const loads = new Map<string, Promise<ComponentType>>();
  const load = (name: string) => {
    let promise = loads.get(name);
    if (!promise) {
      const url = data.modules[name];
      if (!url) throw new Error(`No module for island ${name}`);
      promise = import(url).then((mod: { default: ComponentType }) =>
        mod.default
      );
      loads.set(name, promise);
    }
    return promise;
  };
  const markers = document.querySelectorAll<HTMLElement>(ISLAND_TAG);
  await Promise.all([...markers].map(async (marker) => {
    const name = marker.dataset.island ?? "";
    const props = data.props[Number(marker.dataset.id)];
    if (!props) return;
    try {
      const Island = await load(name);
      hydrate(h(Island, reviveProps(props)), marker);
      marker.dataset.hydrated = "true";
    } catch (error) {
      console.error(`Island ${name} failed to hydrate`, error);
    }
  }));
  document.documentElement.dataset.islandsReady = "true";
}

boot();
