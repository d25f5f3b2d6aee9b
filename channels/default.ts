/**
 * The embedded catalog, served when `CHANNELS_FILE` is not set: channels
 * whose media ships with the app, so a fresh start plays video offline.
 * @module
 */
import type { Channel } from "./channel.ts";

/** The embedded catalog's sample guide (XMLTV, one day that repeats), served from `static/`. */
export const DEMO_GUIDE_PATH = "/guide/demo.xml";

/** The default channels. */
export const DEFAULT_CHANNELS: Channel[] = [
  {
    id: "demo",
    name: "RedFlix Demo",
    url: "/media/demo/master.m3u8",
    logo: "/logos/demo.svg",
    category: "Demo",
    quality: "360p",
    programs: [],
    guideId: "RedFlixDemo.br",
  },
  {
    id: "ao-vivo",
    name: "RedFlix Ao Vivo",
    url: "/live/demo/master.m3u8",
    logo: "/logos/live.svg",
    category: "Demo",
    quality: "360p",
    programs: [],
    guideId: "RedFlixAoVivo.br",
  },
  {
    id: "relogio",
    name: "Relógio RedFlix",
    url: "/embed/clock.html",
    logo: "/logos/clock.svg",
    category: "Demo",
    quality: "",
    programs: [],
    guideId: "RelogioRedFlix.br",
  },
];
