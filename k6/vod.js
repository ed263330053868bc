// vod.js - VOD viewers: each VU fetches the master, picks a variant and downloads the whole
// playlist's segments in order, pacing like a player with a 30 s buffer (fast start, then real time).
// Run: ../shared/tools/k6 run -e BASE_URL=http://127.0.0.1:8080 -e STREAM=/hls/demo/vod.m3u8 k6/vod.js
// Signed: add -e SIGN_KEY=<base64 secret of Gateway:Signing:Keys:<kid>> [-e SIGN_KID=k1 -e SIGN_TTL=3600 -e SIGN_ACL=/hls/demo/]
import { sleep } from 'k6';
import { resolve, parseMaster, parseMedia } from './lib/hls.js';
import { get, segmentLoaded, thresholds, summaryTrendStats } from './lib/player.js';
import { signerFromEnv } from './lib/sign.js';

const BASE = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const STREAM = __ENV.STREAM || '/hls/demo/vod.m3u8';
// signed-URL variant: SIGN_KEY (base64) [+ SIGN_KID, SIGN_TTL, SIGN_ACL, SIGN_IP] signs the entry URL;
// the gateway signs every URI in the playlists it serves, so children need nothing more.
const sign = signerFromEnv(__ENV);
const BUFFER_S = parseFloat(__ENV.BUFFER_S || '30');


export const options = {
  scenarios: {
    vod: {
      executor: 'constant-vus',
      vus: parseInt(__ENV.VUS || '50', 10),
      duration: __ENV.DURATION || '60s',
    },
  },
  thresholds,
  summaryTrendStats,
};

export default function () {
  const url = sign(BASE + STREAM);
  const first = get(url, 'playlist');
  if (!first) { sleep(1); return; }
  let mediaUrl = url;
  let body = first.body;
  const variants = parseMaster(body);
  if (variants.length > 0) {
    mediaUrl = resolve(url, variants[Math.floor(Math.random() * variants.length)].uri);
    const media = get(mediaUrl, 'playlist');
    if (!media) return;
    body = media.body;
  }
  const pl = parseMedia(body);
  let buffered = 0;
  for (const seg of pl.segments) {
    const r = get(resolve(mediaUrl, seg.uri), 'segment');
    if (r) {
      segmentLoaded(r, seg.duration);
    }
    buffered += seg.duration;
    if (buffered > BUFFER_S) sleep(seg.duration); // buffer full: real-time pacing
  }
}
