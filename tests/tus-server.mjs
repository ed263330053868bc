// Reference tus 1.0 server (@tus/server + @tus/file-store) for the upload tests.
// usage: node tus-server.mjs <port> <storeDir> [delayMsPerPatch]
// Logs one line per request: "<METHOD> <url> in=<Upload-Offset> -> <status> out=<Upload-Offset>".
import http from 'node:http';
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';

const port = Number(process.argv[2]);
const directory = process.argv[3];
const delay = Number(process.argv[4] ?? 0);
const tus = new Server({ path: '/files', datastore: new FileStore({ directory }) });

const server = http.createServer((req, res) => {
  // @tus/server passes its headers to writeHead, where getHeader cannot see them
  let out = '-';
  const writeHead = res.writeHead;
  res.writeHead = function (status, ...rest) {
    for (const h of rest) {
      // srvx hands raw headers: [[k, v], ...] or [k, v, k, v, ...]; others pass an object
      const pairs = Array.isArray(h)
        ? (h.length > 0 && Array.isArray(h[0]) ? h : h.flatMap((x, i) => (i % 2 === 0 ? [[x, h[i + 1]]] : [])))
        : h && typeof h === 'object' ? Object.entries(h) : [];
      for (const [k, v] of pairs) if (String(k).toLowerCase() === 'upload-offset') out = String(v);
    }
    return writeHead.call(this, status, ...rest);
  };
  res.on('finish', () => {
    if (out === '-' && res.getHeader('upload-offset') !== undefined) out = String(res.getHeader('upload-offset'));
    console.log(`${req.method} ${req.url} in=${req.headers['upload-offset'] ?? '-'} -> ${res.statusCode} out=${out}`);
  });
  // a slow server lets a test kill it while an upload is under way
  if (delay > 0 && req.method === 'PATCH') setTimeout(() => tus.handle(req, res), delay);
  else tus.handle(req, res);
});
server.listen(port, '127.0.0.1', () => console.log(`tus listening on 127.0.0.1:${port}`));
