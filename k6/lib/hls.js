// Minimal m3u8 helpers for the player scripts (k6 has no DOM/URL polyfill for everything we need).
export function resolve(base, ref) {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) return ref;
  const q = base.indexOf('?');
  const noQuery = q >= 0 ? base.substring(0, q) : base;
  const origin = noQuery.match(/^[a-z]+:\/\/[^/]+/i)[0];
  if (ref.startsWith('/')) return origin + ref;
  const dir = noQuery.substring(0, noQuery.lastIndexOf('/') + 1);
  const parts = (dir.substring(origin.length) + ref).split('/');
  const out = [];
  for (const p of parts) {
    if (p === '..') out.pop(); else if (p !== '.') out.push(p);
  }
  return origin + out.join('/');
}

export function parseMaster(text) {
  const lines = text.split(/\r?\n/);
  const variants = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('#EXT-X-STREAM-INF:')) {
      const bw = /BANDWIDTH=(\d+)/.exec(lines[i]);
      let j = i + 1;
      while (j < lines.length && (lines[j] === '' || lines[j].startsWith('#'))) j++;
      if (j < lines.length) variants.push({ bandwidth: bw ? parseInt(bw[1], 10) : 0, uri: lines[j].trim() });
    }
  }
  return variants;
}

export function parseMedia(text) {
  const lines = text.split(/\r?\n/);
  let seq = 0, target = 2, ended = false, pendingDuration = null;
  const segments = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) seq = parseInt(line.substring(22), 10);
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) target = parseFloat(line.substring(22));
    else if (line.startsWith('#EXT-X-ENDLIST')) ended = true;
    else if (line.startsWith('#EXTINF:')) pendingDuration = parseFloat(line.substring(8));
    else if (line !== '' && !line.startsWith('#')) {
      segments.push({ seq: seq + segments.length, duration: pendingDuration || target, uri: line });
      pendingDuration = null;
    }
  }
  return { mediaSequence: seq, targetDuration: target, ended, segments };
}
