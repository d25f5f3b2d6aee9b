#!/usr/bin/env bash
# Regenerates the demo HLS VOD under static/media/demo: 60 s of ffmpeg's
# testsrc2 pattern with a tone, 2 s segments, H.264/AAC, two renditions
# (360p and 180p) and a master playlist, so adaptive bitrate is real.
# Usage: scripts/make_demo_media.sh   (needs ffmpeg: apt-get install -y ffmpeg)
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/static/media/demo"
duration=60
fps=25
gop=$((fps * 2)) # one keyframe per 2 s segment, so every segment starts cleanly
rm -rf "$out"
mkdir -p "$out/360p" "$out/180p"

render() { # name width height video_kbps audio_kbps
  local name=$1 width=$2 height=$3 vkbps=$4 akbps=$5
  ffmpeg -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=${width}x${height}:rate=${fps}:duration=${duration}" \
    -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=${duration}" \
    -map 0:v -map 1:a \
    -c:v libx264 -profile:v main -preset veryfast -pix_fmt yuv420p \
    -b:v "${vkbps}k" -maxrate "${vkbps}k" -bufsize "$((vkbps * 2))k" \
    -g "$gop" -keyint_min "$gop" -sc_threshold 0 \
    -c:a aac -b:a "${akbps}k" -ac 2 \
    -f hls -hls_time 2 -hls_playlist_type vod -hls_list_size 0 \
    -hls_segment_filename "$out/$name/seg_%03d.ts" \
    "$out/$name/index.m3u8"
}

render 360p 640 360 400 64
render 180p 320 180 150 48

cat >"$out/master.m3u8" <<'M3U8'
#EXTM3U
#EXT-X-VERSION:3
#EXT-X-STREAM-INF:BANDWIDTH=528000,AVERAGE-BANDWIDTH=480000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"
360p/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=228000,AVERAGE-BANDWIDTH=200000,RESOLUTION=320x180,CODECS="avc1.4d400c,mp4a.40.2"
180p/index.m3u8
M3U8
du -sh "$out"
