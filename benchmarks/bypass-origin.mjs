// bypass-origin.mjs - loopback origin for bypass-origin-count.sh: serves one object of SIZE bytes (default 64 MiB)
// at /vod/big.mp4 with a Content-Length and counts, per request, the bytes the socket really took
// (socket.bytesWritten before and after, headers included). GET /__stats -> {"requests":N,"bytes":B}; /__reset zeroes.
import http from 'node:http';
const size = Number(process.env.SIZE ?? 64 * 1024 * 1024);
const chunk = Buffer.alloc(64 * 1024, 0x47);
let requests = 0, bytes = 0;
const server = http.createServer((req, res) => {
  if (req.url === '/__stats') { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ requests, bytes })); return; }
  if (req.url === '/__reset') { requests = 0; bytes = 0; res.end('ok'); return; }
  if (!req.url.startsWith('/vod/big.mp4')) { res.statusCode = 404; res.end(); return; }
  requests++;
  const socket = req.socket;
  const before = socket.bytesWritten;
  let counted = false;
  const count = () => { if (!counted) { counted = true; bytes += socket.bytesWritten - before; } };
  res.on('close', count);
  res.setHeader('content-type', 'video/mp4');
  res.setHeader('content-length', size);
  let left = size;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) { res.once('drain', pump); return; }
    }
    res.end();
  };
  pump();
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`origin listening on http://127.0.0.1:${server.address().port}`));
