// sign-selftest.js - checks k6/lib/sign.js against the published test vectors (docs/signing.md).
// Run: ../shared/tools/k6 run k6/sign-selftest.js    (exits non-zero on any mismatch)
import { check } from 'k6';
import exec from 'k6/execution';
import { signature, signUrl } from './lib/sign.js';

const KEY = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='; // bytes 00..1f
const EXP = 1700000000;

const vectors = [
  { scope: '/hls/news/live/index.m3u8', ip: '', sig: 'XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4' },
  { scope: '/hls/news/live/', ip: '', sig: 'aWjjVp48ONAAz61JtbrwP-524gkQc5Y4qKv32SPoaYU' },
  { scope: '/hls/news/', ip: '203.0.113.7', sig: '3HkoeHA0CzIwnVRotAwJBuQjhMaX7AakO6fMh9FCLuA' },
  { scope: '/hls/news/live/index.m3u8', ip: '2001:db8::1', sig: 'cr8RyBuWUibj6ZXLdDOdDJWbVpU7wV9rVB4m6vc_GRQ' },
];

const urls = [
  // the worked example, and the acl form of it
  {
    got: () => signUrl('http://gateway:8080/hls/news/live/index.m3u8', { key: KEY, kid: 'k1', exp: EXP }),
    want: 'http://gateway:8080/hls/news/live/index.m3u8?exp=1700000000&kid=k1&sig=XzYMBHTa0jWgTox4q4KjYBT5rZszjWH0DFMcQdvURG4',
  },
  {
    got: () => signUrl('/hls/news/live/720p/seg42.ts', { key: KEY, kid: 'k1', exp: EXP, acl: '/hls/news/live/' }),
    want: '/hls/news/live/720p/seg42.ts?exp=1700000000&kid=k1&acl=/hls/news/live/&sig=aWjjVp48ONAAz61JtbrwP-524gkQc5Y4qKv32SPoaYU',
  },
  {
    got: () => signUrl('/hls/news/x.m3u8?token=a', { key: KEY, kid: 'k1', exp: EXP, acl: '/hls/news/', ip: '203.0.113.7' }),
    want: '/hls/news/x.m3u8?token=a&exp=1700000000&kid=k1&acl=/hls/news/&ip=203.0.113.7&sig=3HkoeHA0CzIwnVRotAwJBuQjhMaX7AakO6fMh9FCLuA',
  },
];

export const options = {
  vus: 1,
  iterations: 1,
  thresholds: { checks: ['rate==1'] },
};

export default function () {
  try {
    run();
  } catch (e) {
    exec.test.abort(`self-test error: ${e}`); // an exception alone would not fail the run
  }
}

function run() {
  let failures = 0;
  for (const [i, v] of vectors.entries()) {
    const got = signature(KEY, v.scope, String(EXP), 'k1', v.ip);
    if (!check(got, { [`vector ${i + 1} (${v.scope})`]: (s) => s === v.sig })) {
      console.error(`mismatch for ${v.scope} ip=${v.ip}: got ${got}, want ${v.sig}`);
      failures++;
    }
  }
  for (const [i, u] of urls.entries()) {
    const got = u.got();
    if (!check(got, { [`signed URL ${i + 1}`]: (s) => s === u.want })) {
      console.error(`mismatch: got ${got}, want ${u.want}`);
      failures++;
    }
  }
  if (failures > 0) exec.test.abort(`${failures} signing test vector(s) failed`);
}
