// A tiny static file server for the page (the core wasm is fetched, so file:// does not work).
// Compresses with gzip when the browser accepts it, as any real static host does, and counts the
// bytes it sends so that tests can report what loading the page transfers.
//   node web/serve.mjs [port]    then open http://localhost:<port>/

import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/**
 * Serves the files under `root` on 127.0.0.1:`port` (0: any free port). Resolves to
 * `{ url, sent, close }`: `sent` maps each path served to the bytes sent for it (last time).
 */
export async function serve(root, port = 0) {
  const compressed = new Map();
  const sent = new Map();
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep)) {
      response.writeHead(403).end();
      return;
    }
    let body;
    try {
      body = await readFile(file);
    } catch {
      response.writeHead(404).end();
      return;
    }
    const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' };
    if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
      if (!compressed.has(file)) compressed.set(file, gzipSync(body));
      body = compressed.get(file);
      headers['content-encoding'] = 'gzip';
    }
    sent.set(path, body.length);
    response.writeHead(200, headers).end(body);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    sent,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await serve(fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, ''), Number(process.argv[2] ?? 8000));
  console.log(`serving the page at ${url}`);
}
