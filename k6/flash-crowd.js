// flash-crowd.js - thousands of live players join within seconds (a match kicks off), then watch.
// Every joiner asks for the same master, media playlist and newest segments at once: the gateway
// must collapse those misses (one origin fetch per resource) and keep playlist p99 < 100 ms.
// Run: ../shared/tools/k6 run -e BASE_URL=http://127.0.0.1:8080 -e PLAYERS=2000 k6/flash-crowd.js
// Signed: add -e SIGN_KEY=<base64 secret of Gateway:Signing:Keys:<kid>> [-e SIGN_KID=k1 -e SIGN_TTL=3600 -e SIGN_ACL=/hls/demo/]
import { sleep } from 'k6';
import { Trend } from 'k6/metrics';
import { resolve, parseMaster, parseMedia } from './lib/hls.js';
import { get, segmentLoaded, thresholds, summaryTrendStats } from './lib/player.js';
import { signerFromEnv } from './lib/sign.js';

const BASE = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const STREAM = __ENV.STREAM || '/hls/demo/master.m3u8';
// signed-URL variant: SIGN_KEY (base64) [+ SIGN_KID, SIGN_TTL, SIGN_ACL, SIGN_IP] signs the entry URL;
// the gateway signs every URI in the playlists it serves, so children need nothing more.
const sign = signerFromEnv(__ENV);
const PLAYERS = parseInt(__ENV.PLAYERS || '2000', 10);

const joinTime = new Trend('hls_join_ms', true); // master -> first segment downloaded

export const options = {
  scenarios: {
    crowd: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: __ENV.JOIN || '5s', target: PLAYERS },   // the crowd arrives
        { duration: __ENV.HOLD || '60s', target: PLAYERS },  // and watches
      ],
      gracefulRampDown: '5s',
      gracefulStop: '5s',
    },
  },
  thresholds,
  summaryTrendStats,
};

export default function () {
  const t0 = Date.now();
  const masterUrl = sign(BASE + STREAM);
  const master = get(masterUrl, 'playlist');
  if (!master) { sleep(1); return; }
  const variants = parseMaster(master.body);
  const mediaUrl = variants.length ? resolve(masterUrl, variants[__VU % variants.length].uri) : masterUrl;
  let lastSeq = -1, joined = false;
  for (;;) {
    const res = get(mediaUrl, 'playlist');
    if (!res) { sleep(1); continue; }
    const pl = parseMedia(res.body);
    const fresh = pl.segments.filter((s) => s.seq > lastSeq);
    for (const seg of (lastSeq < 0 ? fresh.slice(-3) : fresh)) {
      const r = get(resolve(mediaUrl, seg.uri), 'segment');
      if (r) {
        segmentLoaded(r, seg.duration);
        if (!joined) { joinTime.add(Date.now() - t0); joined = true; }
      }
      lastSeq = seg.seq;
    }
    if (pl.ended) return;
    sleep(fresh.length ? pl.targetDuration : pl.targetDuration / 2);
  }
}
