// sign.js - signs gateway URLs per the "Signed URLs" contract (ARCHITECTURE.md, docs/signing.md):
//   scope        = acl if present, else the request path (as sent on the wire, no query)
//   stringToSign = scope + "\n" + exp + "\n" + kid + "\n" + (ip or "")
//   sig          = base64url_nopad(HMAC_SHA256(base64decode(key), utf8(stringToSign)))
// Only the entry URL needs signing: the gateway signs every URI in the playlists it serves.
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';

const keyCache = {};

function keyBytes(keyB64) {
  // the secret is base64 (Gateway:Signing:Keys:<kid>); k6 wants the raw bytes as an ArrayBuffer
  if (!(keyB64 in keyCache)) keyCache[keyB64] = encoding.b64decode(keyB64, 'std');
  return keyCache[keyB64];
}

/** The sig value for the given inputs (test vectors: docs/signing.md). */
export function signature(keyB64, scope, exp, kid, ip) {
  const stringToSign = `${scope}\n${exp}\n${kid}\n${ip || ''}`;
  return crypto.hmac('sha256', keyBytes(keyB64), stringToSign, 'base64rawurl');
}

/** Percent-encodes a query value; '/' and ':' stay readable (the gateway decodes per RFC 3986). */
export function escapeValue(value) {
  return encodeURIComponent(value).replace(/%2F/gi, '/').replace(/%3A/gi, ':');
}

/**
 * The query (no leading '?') a signed URL carries: exp=..&kid=..[&acl=..][&ip=..]&sig=..
 * opts: { key (base64), kid, exp (unix seconds), acl (path prefix ending in '/'), ip }
 */
export function signatureQuery(path, opts) {
  const exp = String(opts.exp);
  const sig = signature(opts.key, opts.acl || path, exp, opts.kid, opts.ip);
  let q = `exp=${exp}&kid=${escapeValue(opts.kid)}`;
  if (opts.acl) q += `&acl=${escapeValue(opts.acl)}`;
  if (opts.ip) q += `&ip=${escapeValue(opts.ip)}`;
  return `${q}&sig=${sig}`;
}

/**
 * Signs a URL (absolute or path-only), keeping its own query parameters. opts as for signatureQuery, with
 * ttl (seconds from now, default 3600) instead of exp if exp is not given.
 */
export function signUrl(url, opts) {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)?([^?#]*)(?:\?([^#]*))?/i.exec(url);
  const base = m[1] || '';
  const path = m[2];
  const own = m[3] || '';
  const exp = opts.exp !== undefined ? opts.exp : Math.floor(Date.now() / 1000) + (opts.ttl || 3600);
  const query = signatureQuery(path, Object.assign({}, opts, { exp }));
  return `${base}${path}?${own ? own + '&' : ''}${query}`;
}

/**
 * A signer configured from the environment: SIGN_KEY (base64 secret), SIGN_KID (default k1),
 * SIGN_TTL (seconds, default 3600), SIGN_ACL (optional path prefix ending in '/'), SIGN_IP (optional).
 * Without SIGN_KEY it returns URLs unchanged, so the scripts work against an unsigned gateway too.
 */
export function signerFromEnv(env) {
  const key = env.SIGN_KEY;
  if (!key) return (url) => url;
  const opts = {
    key,
    kid: env.SIGN_KID || 'k1',
    ttl: parseInt(env.SIGN_TTL || '3600', 10),
    acl: env.SIGN_ACL || undefined,
    ip: env.SIGN_IP || undefined,
  };
  return (url) => signUrl(url, opts);
}
