// Shared player metrics, thresholds and the instrumented GET used by every player script.
import http from 'k6/http';
import { check } from 'k6';
import { Trend, Rate, Counter } from 'k6/metrics';

export const playlistTime = new Trend('hls_playlist_ms', true);
export const segmentTime = new Trend('hls_segment_ms', true);
// segment download time / segment duration: above 1 a real player would rebuffer
export const rebufferRisk = new Trend('hls_rebuffer_risk');
export const errors = new Rate('hls_errors');
export const segmentsLoaded = new Counter('hls_segments');

// the seed targets: playlist p99 < 100 ms, segment p99 < 500 ms, error rate < 0.1 %
export const thresholds = {
  'hls_playlist_ms': ['p(99)<100'],
  'hls_segment_ms': ['p(99)<500'],
  'hls_errors': ['rate<0.001'],
};
export const summaryTrendStats = ['avg', 'p(50)', 'p(95)', 'p(99)', 'max'];

/**
 * GET with a per-kind check and timing; returns the response, or null when it was not 200. Segment bodies are
 * read but not kept (responseType 'none'): a player needs their timing, not their bytes in JS, and holding
 * megabytes per VU as strings made k6 itself the bottleneck at 2,000 players on two cores.
 */
export function get(url, kind) {
  const res = http.get(url, { tags: { kind }, timeout: '10s', responseType: kind === 'segment' ? 'none' : 'text' });
  const ok = check(res, { [`${kind} 200`]: (r) => r.status === 200 });
  errors.add(!ok);
  (kind === 'segment' ? segmentTime : playlistTime).add(res.timings.duration);
  return ok ? res : null;
}

/** Records a downloaded segment (count and rebuffer risk). */
export function segmentLoaded(res, durationSeconds) {
  segmentsLoaded.add(1);
  rebufferRisk.add(res.timings.duration / 1000 / durationSeconds);
}
