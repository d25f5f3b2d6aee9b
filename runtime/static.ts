/**
 * Serves `static/`: MIME types (HLS included), strong ETags from a content
 * hash with `If-None-Match` → 304, single byte ranges (206, `If-Range`
 * honoured) so a player resumes a segment a peer half-delivered, and paths
 * that cannot leave the folder.
 * @module
 */

import { parseByteRange } from "../utils/byte_range.ts";
import { digestHex } from "../utils/hex.ts";

/** MIME types by file extension. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  json: "application/json",
  webmanifest: "application/manifest+json",
  txt: "text/plain; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  ico: "image/x-icon",
  woff2: "font/woff2",
  m3u8: "application/vnd.apple.mpegurl",
  m3u: "audio/x-mpegurl",
  ts: "video/mp2t",
  m4s: "video/iso.segment",
  mp4: "video/mp4",
  aac: "audio/aac",
  vtt: "text/vtt; charset=utf-8",
};

/** Cache policy by extension: media segments never change, the rest revalidates. */
function cacheControl(extension: string): string {
  switch (extension) {
    case "ts":
    case "m4s":
    case "aac":
    case "mp4":
      return "public, max-age=86400";
    default:
      return "public, max-age=0, must-revalidate";
  }
}

interface CachedTag {
  mtime: number;
  size: number;
  etag: string;
}

/** Serves files from one folder. */
export class StaticFiles {
  #root: string;
  #realRoot?: Promise<string>;
  #etags = new Map<string, CachedTag>();

  /** Serve the files below `root` (a folder URL ending in `/`). */
  constructor(root: URL) {
    this.#root = decodeURIComponent(root.pathname).replace(/\/$/, "");
  }

  /** The file path for a URL path, or `undefined` if it may not be served. */
  #resolve(pathname: string): string | undefined {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
    const segments = decoded.split("/").filter((s) => s.length > 0);
    if (segments.some((s) => s === "." || s === ".." || s.startsWith("."))) {
      return undefined;
    }
    if (segments.length === 0) return undefined;
    return `${this.#root}/${segments.join("/")}`;
  }

  async #etag(
    path: string,
    info: Deno.FileInfo,
    data: Uint8Array<ArrayBuffer>,
  ): Promise<string> {
    const mtime = info.mtime?.getTime() ?? 0;
    const cached = this.#etags.get(path);
    if (cached && cached.mtime === mtime && cached.size === info.size) {
      return cached.etag;
    }
    const etag = `"${await digestHex(data, "SHA-1")}"`;
    this.#etags.set(path, { mtime, size: info.size, etag });
    return etag;
  }

  /**
   * Serve `pathname` for a GET or HEAD request. `undefined` when there is no
   * such file, so the caller can try routes next.
   */
  async serve(req: Request, pathname: string): Promise<Response | undefined> {
    const path = this.#resolve(pathname);
    if (!path) return undefined;
    let info: Deno.FileInfo;
    let realPath: string;
    try {
      realPath = await Deno.realPath(path);
      info = await Deno.stat(realPath);
    } catch {
      return undefined;
    }
    // A symlink must not lead out of the folder.
    this.#realRoot ??= Deno.realPath(this.#root);
    if (!info.isFile || !realPath.startsWith(`${await this.#realRoot}/`)) {
      return undefined;
    }
    const data = await Deno.readFile(realPath);
    const etag = await this.#etag(path, info, data);
    const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
    const headers = new Headers({
      "content-type": MIME_TYPES[extension] ?? "application/octet-stream",
      "cache-control": cacheControl(extension),
      etag,
      "accept-ranges": "bytes",
    });
    if (info.mtime) headers.set("last-modified", info.mtime.toUTCString());
    const ifNoneMatch = req.headers.get("if-none-match");
    if (
      ifNoneMatch &&
      ifNoneMatch.split(",").some((tag) =>
        tag.trim().replace(/^W\//, "") === etag
      )
    ) {
      return new Response(null, { status: 304, headers });
    }
    // If-Range: a range of this very version only, else the whole file.
    const ifRange = req.headers.get("if-range");
    const range = ifRange && ifRange !== etag
      ? undefined
      : parseByteRange(req.headers.get("range"), data.length);
    if (range === "unsatisfiable") {
      headers.set("content-range", `bytes */${data.length}`);
      return new Response(null, { status: 416, headers });
    }
    const body = range ? data.subarray(range.start, range.end + 1) : data;
    if (range) {
      headers.set(
        "content-range",
        `bytes ${range.start}-${range.end}/${data.length}`,
      );
    }
    headers.set("content-length", String(body.length));
    return new Response(req.method === "HEAD" ? null : body, {
      status: range ? 206 : 200,
      headers,
    });
  }
}
