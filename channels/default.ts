/**
 * The embedded catalog, served when `CHANNELS_FILE` is not set: channels
 * whose media ships with the app, so a fresh start plays video offline.
 * @module
 */
import type { Channel } from "./channel.ts";

/** The default channels. */
export const DEFAULT_CHANNELS: Channel[] = [
  {
    id: "demo",
    name: "RedFlix Demo",
    url: "/media/demo/master.m3u8",
    logo: "/logos/demo.svg",
    category: "Demo",
    quality: "360p",
    programs: [
      { title: "Padrão de teste / Test pattern", start: "00:00" },
      { title: "Tom de 440 Hz / 440 Hz tone", start: "00:30" },
    ],
  },
  {
    id: "ao-vivo",
    name: "RedFlix Ao Vivo",
    url: "/live/demo/master.m3u8",
    logo: "/logos/live.svg",
    category: "Demo",
    quality: "360p",
    programs: [{ title: "Transmissão contínua / Continuous broadcast" }],
  },
  {
    id: "relogio",
    name: "Relógio RedFlix",
    url: "/embed/clock.html",
    logo: "/logos/clock.svg",
    category: "Demo",
    quality: "",
    programs: [{ title: "Hora certa / Current time" }],
  },
];
