/**
 * The app as the lab's origin, counting what it really sends of each media
 * segment: bytes as the server writes them (an aborted download counts
 * what left), partial responses as fractions of the segment. A live loop
 * airs the same file again: a request more than `airingGapMs` after the
 * last one for a file counts as a new segment. It also serves the light
 * viewers' page (light_viewer.ts).
 * @module
 */
import manifest from "../../fresh.gen.ts";
import { type AppConfig, createApp } from "../../app/mod.ts";
import { serveLightViewer } from "./light_viewer.ts";

const SEGMENT = /\.(ts|m4s|aac|mp4)$/;

/** One distinct segment as the origin served it. */
export interface ServedSegment {
  /** Its size. */
  bytes: number;
  /** Bytes the origin sent of it (all responses). */
  sentBytes: number;
}

/** What the origin sent. */
export interface OriginCounts {
  /** Media bytes sent. */
  bytes: number;
  /** Media responses. */
  responses: number;
  /** By segment (path, with the airing for live). */
  segments: Map<string, ServedSegment>;
}

/** A running lab origin. */
export interface LabOrigin {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Its port. */
  port: number;
  /** What it sent so far. */
  counts: OriginCounts;
  /** Stop it. */
  close(): Promise<void>;
}

/** Options of {@linkcode startLabOrigin}. */
export interface LabOriginOptions {
  /** A file asked again after this long (ms) counts as a new segment (live loops). */
  airingGapMs?: number;
  /** A page to render once before viewers come, so islands are built. */
  warmUpPath?: string;
}

/** Serve the app on a free loopback port and count what it sends. */
export async function startLabOrigin(
  config: AppConfig,
  options: LabOriginOptions = {},
): Promise<LabOrigin> {
  const airingGapMs = options.airingGapMs ?? Infinity;
  const app = await createApp(manifest, config);
  const counts: OriginCounts = { bytes: 0, responses: 0, segments: new Map() };
  const lastAsked = new Map<string, { at: number; airing: number }>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req, info) => {
      const path = new URL(req.url).pathname;
      const light = await serveLightViewer(path);
      if (light) return light;
      const response = await app.handler(req, info);
      if (!SEGMENT.test(path) || !response.body || response.status >= 300) {
        return response;
      }
      const now = performance.now();
      const last = lastAsked.get(path);
      const airing = last && now - last.at > airingGapMs
        ? last.airing + 1
        : last?.airing ?? 0;
      lastAsked.set(path, { at: now, airing });
      const size = Number(
        response.headers.get("content-range")?.split("/")[1] ??
          response.headers.get("content-length"),
      );
      const key = `${path}#${airing}`;
      const segment = counts.segments.get(key) ?? { bytes: size, sentBytes: 0 };
      counts.segments.set(key, segment);
      counts.responses++;
      const counted = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            counts.bytes += chunk.byteLength;
            segment.sentBytes += chunk.byteLength;
            controller.enqueue(chunk);
          },
        }),
      );
      return new Response(counted, {
        status: response.status,
        headers: response.headers,
      });
    },
  );
  await app.probed;
  // Build the islands now, not while the first viewer waits.
  const warmUp = `http://127.0.0.1:${server.addr.port}${
    options.warmUpPath ?? "/"
  }`;
  await (await fetch(warmUp)).body?.cancel();
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    port: server.addr.port,
    counts,
    async close() {
      await app.close();
      await server.shutdown();
    },
  };
}
