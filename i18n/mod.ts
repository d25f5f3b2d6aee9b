/**
 * The site's languages: pick one from the browser's `Accept-Language`
 * (or `?lang=`), get its messages.
 * @module
 */
import { en, type Messages } from "./en.ts";
import { ptBR } from "./pt_br.ts";

export type { Messages };

/** The languages the site speaks. */
export type Locale = "pt-BR" | "en";

/** Used when the browser asks for neither language. */
export const DEFAULT_LOCALE: Locale = "pt-BR";

const MESSAGES: Record<Locale, Messages> = { "pt-BR": ptBR, en };

/** The messages of a locale. */
export function messages(locale: Locale): Messages {
  return MESSAGES[locale];
}

/** Whether a string is a supported locale. */
export function isLocale(value: string): value is Locale {
  return value === "pt-BR" || value === "en";
}

/**
 * The best locale for an `Accept-Language` header, by quality.
 *
 * @example
 * ```ts
 * negotiateLocale("en-US,en;q=0.9,pt;q=0.8"); // "en"
 * negotiateLocale("pt-PT"); // "pt-BR"
 * ```
 */
export function negotiateLocale(header: string | null): Locale {
  if (!header) return DEFAULT_LOCALE;
  const ranked = header.split(",").map((part, index) => {
    const [tag = "", ...params] = part.trim().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
    return {
      tag: tag.toLowerCase(),
      q: q === undefined ? 1 : Number(q),
      index,
    };
  }).filter((entry) => entry.tag && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    if (tag === "pt" || tag.startsWith("pt-")) return "pt-BR";
    if (tag === "en" || tag.startsWith("en-")) return "en";
  }
  return DEFAULT_LOCALE;
}
