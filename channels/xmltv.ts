/**
 * Reads an XMLTV program guide (`.xml` or `.xml.gz`) with `@iptv/xmltv`,
 * bounded: the download stops past `maxBytes` (decompressed), and every
 * text is cut to a sane length. Guide text is untrusted; it is only ever
 * rendered as text.
 * @module
 */
import { parseXmltv } from "@iptv/xmltv";

/** A programme as the guide gives it. */
export interface GuideProgramme {
  /** The guide's channel id (`GloboSP.br`). */
  channel: string;
  /** Start (ms since the epoch). */
  start: number;
  /** End (ms since the epoch). */
  stop: number;
  /** Title. */
  title: string;
  /** Description, possibly empty. */
  description: string;
}

/** What one guide holds. */
export interface XmltvGuide {
  /** Guide channel id → its display names. */
  channels: Map<string, string[]>;
  /** Every programme with a start, a stop and a title. */
  programmes: GuideProgramme[];
}

/** Limits of {@linkcode fetchXmltv}. */
export interface XmltvLimits {
  /** Largest guide, decompressed (bytes). */
  maxBytes: number;
  /** Longest download (ms). */
  timeoutMs: number;
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/** Decode XML character references the parser leaves in text. */
export function decodeXmlText(text: string): string {
  return text.replace(
    /&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,4});/gi,
    (whole, ref: string) => {
      if (ref[0] !== "#") return ENTITIES[ref.toLowerCase()] ?? whole;
      const code = ref[1] === "x" || ref[1] === "X"
        ? parseInt(ref.slice(2), 16)
        : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
        ? String.fromCodePoint(code)
        : "";
    },
  );
}

/** Plain text of a guide field: decoded, control characters gone, cut to `max`. */
function plain(text: string | undefined, max: number): string {
  return decodeXmlText(text ?? "")
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, max);
}

/**
 * Give every `start`/`stop` without a UTC offset an explicit `+0000` (the
 * XMLTV DTD's meaning): the parser reads the last five characters as the
 * offset whatever they are, so `20261125180000` became 01:00.
 */
function explicitUtc(xml: string): string {
  return xml.replace(
    /(\s(?:start|stop)=["'])(\d{12}(?:\d{2})?)(["'])/g,
    "$1$2 +0000$3",
  );
}

/** A parsed guide time as ms since the epoch (`NaN` when unreadable). */
function timeOf(value: Date | string | undefined): number {
  return value instanceof Date ? value.getTime() : NaN;
}

type Texts = Array<{ _value?: string }> | undefined;
const first = (texts: Texts) => texts?.find((t) => t._value)?._value;

/** Parse XMLTV text. @throws {Error} when it is not XMLTV. */
export function parseXmltvText(xml: string): XmltvGuide {
  if (!/<tv[\s>]/.test(xml.slice(0, 4096))) {
    throw new Error("not an XMLTV document (no <tv> element)");
  }
  const parsed = parseXmltv(explicitUtc(xml)) as {
    channels?: Array<{ id?: string; displayName?: Texts }>;
    programmes?: Array<{
      channel?: string;
      start?: Date | string;
      stop?: Date | string;
      title?: Texts;
      desc?: Texts;
    }>;
  };
  const channels = new Map<string, string[]>();
  for (const channel of parsed.channels ?? []) {
    if (!channel.id) continue;
    channels.set(
      plain(channel.id, 120),
      (channel.displayName ?? []).map((n) => plain(n._value, 120)).filter(
        Boolean,
      ),
    );
  }
  const programmes: GuideProgramme[] = [];
  for (const item of parsed.programmes ?? []) {
    const start = timeOf(item.start);
    const stop = timeOf(item.stop);
    const title = plain(first(item.title), 200);
    if (!item.channel || !title || !(stop > start)) continue;
    programmes.push({
      channel: plain(item.channel, 120),
      start,
      stop,
      title,
      description: plain(first(item.desc), 600),
    });
  }
  return { channels, programmes };
}

/** Read at most `maxBytes` of `body`, gunzipping it if it is gzip. */
async function readBounded(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  where: string,
): Promise<string> {
  const reader = body.getReader();
  const head = await reader.read();
  const firstChunk = head.value ?? new Uint8Array();
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      if (firstChunk.length) controller.enqueue(firstChunk);
      if (head.done) controller.close();
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const gzip = firstChunk[0] === 0x1f && firstChunk[1] === 0x8b;
  const stream = gzip
    ? rest.pipeThrough(
      new DecompressionStream("gzip") as unknown as TransformStream<
        Uint8Array,
        Uint8Array
      >,
    )
    : rest;
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    if (bytes > maxBytes) {
      await stream.cancel().catch(() => {});
      throw new RangeError(
        `${where}: guide larger than ${maxBytes} bytes (decompressed)`,
      );
    }
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Fetch and parse the guide at `url` with `fetcher`.
 *
 * @throws {Error} naming the URL: HTTP error, too large, too slow, not XMLTV.
 */
export async function fetchXmltv(
  url: string,
  fetcher: (url: string, signal: AbortSignal) => Promise<Response>,
  limits: XmltvLimits,
): Promise<XmltvGuide> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  const response = await fetcher(url, signal);
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  const length = Number(response.headers.get("content-length"));
  if (length > limits.maxBytes) {
    await response.body.cancel();
    throw new RangeError(`${url}: guide of ${length} bytes is too large`);
  }
  const text = await readBounded(response.body, limits.maxBytes, url);
  try {
    return parseXmltvText(text);
  } catch (error) {
    throw new Error(`${url}: ${(error as Error).message}`);
  }
}
