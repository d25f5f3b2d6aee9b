import assert from "node:assert/strict";
import { parseMediaPlaylist } from "../../live/hls.ts";
import { livePlaylist, livePosition } from "../../live/playlist.ts";
import { LiveSources } from "../../live/source.ts";

// A 5-segment VOD of 2 s segments: one loop lasts 10 s.
const vod = parseMediaPlaylist(
  ["#EXTM3U", "#EXT-X-TARGETDURATION:2", "#EXT-X-PLAYLIST-TYPE:VOD"]
    .concat(
      ...[0, 1, 2, 3, 4].map((i) => ["#EXTINF:2.000000,", `seg_${i}.ts`]),
      ["#EXT-X-ENDLIST"],
    )
    .join("\n"),
);

function parse(text: string) {
  const lines = text.trim().split("\n");
  return {
    sequence: Number(
      lines.find((l) => l.startsWith("#EXT-X-MEDIA-SEQUENCE:"))?.split(":")[1],
    ),
    discontinuitySequence: Number(
      lines.find((l) => l.startsWith("#EXT-X-DISCONTINUITY-SEQUENCE:"))?.split(
        ":",
      )[1],
    ),
    uris: lines.filter((l) => !l.startsWith("#")),
    tags: lines,
  };
}

Deno.test("parseMediaPlaylist() reads the demo VOD", () => {
  assert.equal(vod.targetDuration, 2);
  assert.equal(vod.segments.length, 5);
  assert.deepEqual(vod.segments[0], { durationMs: 2000, uri: "seg_0.ts" });
  assert.equal(vod.ended, true);
  assert.throws(() => parseMediaPlaylist("nope"), /missing #EXTM3U/);
  assert.throws(
    () => parseMediaPlaylist("#EXTM3U\n#EXT-X-TARGETDURATION:2\n"),
    /no segments/,
  );
});

Deno.test("livePlaylist() advances its media sequence with the clock", async (t) => {
  const window = { windowSize: 3, epochMs: 1_000_000 };
  await t.step("a segment becomes live when its end time has passed", () => {
    assert.deepEqual(livePosition(vod, 1_000_000 + 8_000, window), {
      firstSequence: 1,
      lastSequence: 3,
    });
    assert.deepEqual(livePosition(vod, 1_000_000 + 9_999, window), {
      firstSequence: 1,
      lastSequence: 3,
    });
    assert.deepEqual(livePosition(vod, 1_000_000 + 10_000, window), {
      firstSequence: 2,
      lastSequence: 4,
    });
  });
  await t.step("the window holds the newest segments and no end tag", () => {
    const playlist = livePlaylist(vod, 1_000_000 + 10_000, window);
    const { sequence, uris, tags } = parse(playlist);
    assert.equal(sequence, 2);
    assert.deepEqual(uris, ["seg_2.ts", "seg_3.ts", "seg_4.ts"]);
    assert.ok(!tags.includes("#EXT-X-ENDLIST"));
    assert.ok(!tags.some((tag) => tag.startsWith("#EXT-X-PLAYLIST-TYPE")));
    assert.ok(tags.includes("#EXT-X-TARGETDURATION:2"));
  });
  await t.step("at the wrap the loop restarts after a discontinuity", () => {
    const { sequence, uris, tags, discontinuitySequence } = parse(
      livePlaylist(vod, 1_000_000 + 14_000, window),
    );
    assert.equal(sequence, 4);
    assert.deepEqual(uris, ["seg_4.ts", "seg_0.ts", "seg_1.ts"]);
    assert.equal(discontinuitySequence, 0);
    assert.equal(tags[tags.indexOf("seg_4.ts") + 1], "#EXT-X-DISCONTINUITY");
    assert.equal(
      tags.filter((tag) => tag === "#EXT-X-DISCONTINUITY").length,
      1,
    );
  });
  await t.step(
    "once the wrap leaves the window, the discontinuity sequence counts it",
    () => {
      const { sequence, uris, tags, discontinuitySequence } = parse(
        livePlaylist(vod, 1_000_000 + 16_000, window),
      );
      assert.equal(sequence, 5);
      assert.deepEqual(uris, ["seg_0.ts", "seg_1.ts", "seg_2.ts"]);
      assert.equal(discontinuitySequence, 1);
      assert.ok(
        !tags.includes("#EXT-X-DISCONTINUITY"),
        "no tag on the first segment of the window",
      );
    },
  );
  await t.step("segment URIs can be rewritten", () => {
    const { uris } = parse(
      livePlaylist(vod, 1_000_000 + 10_000, {
        ...window,
        segmentUri: (u) => `/media/x/${u}`,
      }),
    );
    assert.equal(uris[0], "/media/x/seg_2.ts");
  });
});

Deno.test("two instances give the same playlist at the same moment (no state)", async () => {
  const now = Date.UTC(2026, 10, 24, 12, 0, 7, 500);
  const root = new URL("../../static/media/", import.meta.url);
  const a = new LiveSources(root, { clock: () => now });
  const b = new LiveSources(root, { clock: () => now });
  const first = await a.playlist("demo", "360p.m3u8");
  assert.ok(first);
  assert.equal(first, await b.playlist("demo", "360p.m3u8"));
  assert.equal(parse(first).uris.length, 6);
  // 2026-11-24 12:00:07.5 UTC is 2_030_407.5 s after the live epoch
  // (2026-11-01): 1_015_203 segments of 2 s completed.
  assert.equal(parse(first).sequence, 1_015_203 - 6);
  const later = new LiveSources(root, { clock: () => now + 2000 });
  assert.equal(
    parse((await later.playlist("demo", "360p.m3u8"))!).sequence,
    1_015_203 - 5,
  );
  // hls.js walks a sparse array indexed by the discontinuity sequence on
  // every reload: counted from 1970 it was ~30 million, a third of a live
  // player's CPU. From the live epoch it stays small.
  const discontinuity = Number(
    first.match(/#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)/)?.[1],
  );
  assert.ok(
    discontinuity < 100_000,
    `discontinuity sequence ${discontinuity}`,
  );
});

Deno.test("LiveSources refuses unknown sources, renditions and odd names", async () => {
  const live = new LiveSources(new URL("../../static/media/", import.meta.url));
  assert.match(
    (await live.playlist("demo", "master.m3u8"))!,
    /^#EXTM3U[\s\S]*\n360p\.m3u8\n[\s\S]*180p\.m3u8/,
  );
  for (
    const [source, file] of [
      ["nope", "master.m3u8"],
      ["demo", "720p.m3u8"],
      ["demo", "360p.ts"],
      ["..", "master.m3u8"],
      ["Demo", "master.m3u8"],
    ]
  ) {
    assert.equal(
      await live.playlist(source!, file!),
      undefined,
      `${source}/${file}`,
    );
  }
});

Deno.test("LiveSources stays bounded whatever names are asked for", async () => {
  const live = new LiveSources(new URL("../../static/media/", import.meta.url));
  for (let i = 0; i < 5000; i++) {
    assert.equal(await live.playlist(`miss-${i}`, "master.m3u8"), undefined);
  }
  assert.ok(
    live.size <= 64,
    `${live.size} sources held (before: one per name)`,
  );
  assert.ok(
    await live.playlist("demo", "master.m3u8"),
    "real sources still load",
  );
});
