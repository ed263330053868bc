// live-players.js - each VU is a live HLS player: fetches the master playlist, picks a variant,
// reloads the media playlist at the target-duration cadence and downloads each new segment once.
// Run: ../shared/tools/k6 run -e BASE_URL=http://127.0.0.1:8080 -e STREAM=/hls/demo/master.m3u8 k6/live-players.js
// Signed: add -e SIGN_KEY=<base64 secret of Gateway:Signing:Keys:<kid>> [-e SIGN_KID=k1 -e SIGN_TTL=3600 -e SIGN_ACL=/hls/demo/]
// Env: BASE_URL, STREAM (master or media playlist path, may carry a signed query), VUS (50),
//      DURATION (60s), RAMP (10s), VARIANT (best|lowest|random, default random).
import { sleep } from 'k6';
import { Counter } from 'k6/metrics';
import { resolve, parseMaster, parseMedia } from './lib/hls.js';
import { get, segmentLoaded, thresholds, summaryTrendStats } from './lib/player.js';
import { signerFromEnv } from './lib/sign.js';

const BASE = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const STREAM = __ENV.STREAM || '/hls/demo/master.m3u8';
// signed-URL variant: SIGN_KEY (base64) [+ SIGN_KID, SIGN_TTL, SIGN_ACL, SIGN_IP] signs the entry URL;
// the gateway signs every URI in the playlists it serves, so children need nothing more.
const sign = signerFromEnv(__ENV);
const VARIANT = __ENV.VARIANT || 'random';

const stalls = new Counter('hls_stalled_reloads');

export const options = {
  scenarios: {
    live: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: __ENV.RAMP || '10s', target: parseInt(__ENV.VUS || '50', 10) },
        { duration: __ENV.DURATION || '60s', target: parseInt(__ENV.VUS || '50', 10) },
      ],
      gracefulRampDown: '5s',
      gracefulStop: '5s',
    },
  },
  thresholds,
  summaryTrendStats,
};

export default function () {
  const masterUrl = sign(BASE + STREAM);
  const first = get(masterUrl, 'playlist');
  if (!first) { sleep(1); return; }
  let mediaUrl = masterUrl;
  const variants = parseMaster(first.body);
  if (variants.length > 0) {
    variants.sort((a, b) => a.bandwidth - b.bandwidth);
    const pick = VARIANT === 'best' ? variants[variants.length - 1]
      : VARIANT === 'lowest' ? variants[0] : variants[Math.floor(Math.random() * variants.length)];
    mediaUrl = resolve(masterUrl, pick.uri);
  }

  let lastSeq = -1;
  let unchanged = 0;
  // a VU plays until the scenario ends (k6 stops the iteration)
  for (;;) {
    const res = get(mediaUrl, 'playlist');
    if (!res) { sleep(1); continue; }
    const pl = parseMedia(res.body);
    const fresh = pl.segments.filter((s) => s.seq > lastSeq);
    // a joining player starts near the live edge (last 3 segments), like hls.js
    const toLoad = lastSeq < 0 ? fresh.slice(-3) : fresh;
    for (const seg of toLoad) {
      const r = get(resolve(mediaUrl, seg.uri), 'segment');
      if (r) {
        segmentLoaded(r, seg.duration);
      }
      lastSeq = seg.seq;
    }
    if (pl.ended) return;
    if (toLoad.length === 0) { unchanged++; stalls.add(1); } else { unchanged = 0; }
    // RFC 8216 6.3.4: reload after the target duration, half of it when the playlist did not change
    sleep(unchanged > 0 ? pl.targetDuration / 2 : pl.targetDuration);
  }
}
