/**
 * The lab's media: an IPTV-like bitrate ladder made with Debian's ffmpeg,
 * cached under `static/media/<name>/` (not committed). CBR with filler and
 * noise, so every rendition really moves its bitrate over the network,
 * at small resolutions, so decoding costs the players little: it is the
 * bitrate that loads the network, the resolution that loads the CPU.
 * fMP4 (CMAF) segments of 2 s, so hls.js passes them through without
 * transmuxing.
 * @module
 */

/** One rendition of the ladder. */
export interface Rendition {
  /** Folder name and label height, e.g. `216p`. */
  name: string;
  /** Frame size. */
  width: number;
  /** Frame size. */
  height: number;
  /** Video bitrate (kbit/s). */
  videoKbps: number;
  /** Audio bitrate (kbit/s). */
  audioKbps: number;
}

/** 4.5 / 2.5 / 1.2 / 0.6 Mbit/s in all, as IPTV ladders go. */
export const LADDER: readonly Rendition[] = [
  { name: "216p", width: 384, height: 216, videoKbps: 4404, audioKbps: 96 },
  { name: "180p", width: 320, height: 180, videoKbps: 2404, audioKbps: 96 },
  { name: "144p", width: 256, height: 144, videoKbps: 1136, audioKbps: 64 },
  { name: "108p", width: 192, height: 108, videoKbps: 536, audioKbps: 64 },
];

/** What was made, for the runner. */
export interface LabMedia {
  /** The source name: `/media/<name>/master.m3u8`, `/live/<name>/master.m3u8`. */
  name: string;
  /** Seconds of media. */
  seconds: number;
  /** The ladder. */
  ladder: readonly Rendition[];
}

const FPS = 25;
const SEGMENT_S = 2;

async function ffmpeg(args: string[]): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("ffmpeg", {
      args: ["-hide_banner", "-loglevel", "error", "-y", ...args],
      stdout: "null",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new Error(
      `Cannot run ffmpeg (apt-get install -y ffmpeg): ${
        (error as Error).message
      }`,
    );
  }
  if (!output.success) {
    throw new Error(
      `ffmpeg failed: ${new TextDecoder().decode(output.stderr).slice(-2000)}`,
    );
  }
}

async function render(dir: URL, rendition: Rendition, seconds: number) {
  const out = new URL(`${rendition.name}/`, dir);
  await Deno.mkdir(out, { recursive: true });
  const v = rendition.videoKbps;
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=${rendition.width}x${rendition.height}:rate=${FPS}:duration=${seconds},noise=alls=30:allf=t`,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    "-map",
    "0:v",
    "-map",
    "1:a",
    "-c:v",
    "libx264",
    "-profile:v",
    "main",
    "-preset",
    "veryfast",
    // CAVLC, no deblocking: a quarter of the decoding work at the same
    // bitrate, so the players' CPU goes to the network, not the pictures.
    "-tune",
    "fastdecode",
    "-pix_fmt",
    "yuv420p",
    "-b:v",
    `${v}k`,
    "-minrate",
    `${v}k`,
    "-maxrate",
    `${v}k`,
    "-bufsize",
    `${Math.round(v / 2)}k`,
    "-x264-params",
    "nal-hrd=cbr",
    "-g",
    String(FPS * SEGMENT_S),
    "-keyint_min",
    String(FPS * SEGMENT_S),
    "-sc_threshold",
    "0",
    "-c:a",
    "aac",
    "-b:a",
    `${rendition.audioKbps}k`,
    "-ac",
    "2",
    "-f",
    "hls",
    "-hls_time",
    String(SEGMENT_S),
    "-hls_playlist_type",
    "vod",
    "-hls_list_size",
    "0",
    "-hls_segment_type",
    "fmp4",
    "-hls_fmp4_init_filename",
    "init.mp4",
    "-hls_segment_filename",
    new URL("seg_%03d.m4s", out).pathname,
    new URL("index.m3u8", out).pathname,
  ]);
}

/**
 * Make (or reuse) `seconds` of the ladder under `static/media/<name>/`.
 * Takes about a second of ffmpeg per second of media on 2 cores.
 */
export async function ensureLabMedia(
  options: { name?: string; seconds?: number; scale?: number } = {},
): Promise<LabMedia> {
  const scale = options.scale ?? 1;
  const name = options.name ??
    (scale === 1 ? "lab" : `lab-s${Math.round(scale * 100)}`);
  const seconds = options.seconds ?? 90;
  const ladder = scaledLadder(scale);
  const dir = new URL(`../../static/media/${name}/`, import.meta.url);
  const marker = new URL("made.json", dir);
  const wanted = JSON.stringify({ seconds, ladder, version: 2 });
  const made = await Deno.readTextFile(marker).catch(() => "");
  if (made === wanted) return { name, seconds, ladder };
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(dir, { recursive: true });
  for (const rendition of ladder) await render(dir, rendition, seconds);
  const master = ["#EXTM3U", "#EXT-X-VERSION:6"];
  for (const r of ladder) {
    const kbps = r.videoKbps + r.audioKbps;
    master.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${kbps * 1000},AVERAGE-BANDWIDTH=${
        kbps * 1000
      },RESOLUTION=${r.width}x${r.height},CODECS="avc1.4d401e,mp4a.40.2"`,
      `${r.name}/index.m3u8`,
    );
  }
  await Deno.writeTextFile(
    new URL("master.m3u8", dir),
    master.join("\n") + "\n",
  );
  await Deno.writeTextFile(marker, wanted);
  return { name, seconds, ladder };
}

/**
 * The ladder with every bitrate times `scale` (audio at least 32 kbit/s):
 * the lab at a fraction of the traffic, for swarms bigger than this
 * machine can relay at full rate (see `deno task swarm --scale`).
 */
export function scaledLadder(scale: number): readonly Rendition[] {
  if (!(scale > 0 && scale <= 1)) {
    throw new RangeError(
      `Invalid scale ${scale}: expected more than 0, at most 1`,
    );
  }
  if (scale === 1) return LADDER;
  return LADDER.map((r) => ({
    ...r,
    videoKbps: Math.round(r.videoKbps * scale),
    audioKbps: Math.max(32, Math.round(r.audioKbps * scale)),
  }));
}

if (import.meta.main) {
  const seconds = Number(Deno.args[0] ?? 90);
  const started = performance.now();
  const media = await ensureLabMedia({ seconds });
  console.log(
    `static/media/${media.name}: ${media.seconds} s, ${
      media.ladder.map((r) => r.name).join(" / ")
    } in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}
