/**
 * @fileoverview A static file server on 127.0.0.1 for pages run in Chromium (the browser tests and the browser
 * bench): it serves only the folders it is given (no network), .wasm as application/wasm (browsers require it for
 * streaming compilation) and, when asked, the two headers that make a page cross-origin isolated, without which a
 * page has no SharedArrayBuffer and so no WebAssembly threads.
 */

import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};

/** The headers of a cross-origin isolated page: SharedArrayBuffer, and so WebAssembly threads, need both. */
export const CROSS_ORIGIN_ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
} as const;

/** A folder served under a URL prefix (several may share one); `aliases` answers a request for one file name with another file's bytes. */
export interface Mount {
  /** The URL path it is served under, starting and ending with '/'. */
  prefix: string;
  dir: string;
  aliases?: Record<string, string>;
}

/** A running server and its base URL (ending with '/'). */
export interface ServedFolders {
  server: Server;
  url: string;
}

/** The files a request path may name, one per mount it falls under (the longest prefix first): the first that exists is served. */
function candidatesOf(mounts: readonly Mount[], pathname: string): string[] {
  // normalize() resolves '..' inside the path; one still leading (above the root) is dropped.
  const path = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
  return [...mounts]
    .sort((a, b) => b.prefix.length - a.prefix.length)
    .filter((m) => path.startsWith(m.prefix))
    .map((m) => {
      const rest = path.slice(m.prefix.length);
      const name = rest === '' ? 'index.html' : rest;
      return join(m.dir, m.aliases?.[name] ?? name);
    });
}

/** The bytes of the first of `files` that can be read. */
async function firstReadable(files: readonly string[]): Promise<{ file: string; body: Buffer } | undefined> {
  for (const file of files) {
    try {
      return { file, body: await readFile(file) };
    } catch {
      // not in this mount: the next one may have it
    }
  }
  return undefined;
}

/** Serves `mounts` on a free port of 127.0.0.1; `isolated` adds the cross-origin isolation headers to every response. */
export function serveFolders(mounts: readonly Mount[], options: { isolated?: boolean } = {}): Promise<ServedFolders> {
  const headers = options.isolated ? CROSS_ORIGIN_ISOLATION : {};
  const server = createServer(async (req, res) => {
    const found = await firstReadable(candidatesOf(mounts, new URL(req.url ?? '/', 'http://x').pathname));
    if (found === undefined) res.writeHead(404, headers).end();
    else
      res
        .writeHead(200, { ...headers, 'content-type': TYPES[extname(found.file)] ?? 'application/octet-stream' })
        .end(found.body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` }),
    ),
  );
}
