/**
 * @fileoverview The browser bench's page, served and opened: the model's files and each peer's export written to a
 * temporary folder, the page script bundled there by esbuild, the peers' own WebAssembly served from node_modules
 * (nothing from the network), all from 127.0.0.1 with the cross-origin isolation headers threads need, and the page
 * opened in Debian's headless Chromium.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { collectPageErrors, launchChromium } from '../../browser/chromium.ts';
import { type Mount, serveFolders } from '../../browser/static-server.ts';
import { BROWSER_PATHS } from './page-protocol.ts';

/** An open bench page, what its console and network reported as errors, and how to close it all. */
export interface BenchPage {
  page: Page;
  /** Console errors and failed requests (a 404 included), in order. */
  errors: string[];
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** The folder of a package's resolved entry file (its dist/, for the peers served here). */
const entryFolder = (name: string) => dirname(require.resolve(name));

/**
 * The peers' WebAssembly folders. TFLite-web's threaded build sits beside the page (where its bundle looks when imported);
 * its one-thread SIMD build answers for the threaded file names under a folder of its own.
 */
function peerMounts(): Mount[] {
  const tflite = join(dirname(require.resolve('@tensorflow/tfjs-tflite/package.json')), 'wasm');
  return [
    { prefix: `/${BROWSER_PATHS.tfliteThreaded}`, dir: tflite },
    {
      prefix: BROWSER_PATHS.tfliteSimd,
      dir: tflite,
      aliases: { 'tflite_web_api_cc_simd_threaded.js': 'tflite_web_api_cc_simd.js' },
    },
    { prefix: BROWSER_PATHS.tfjsWasm, dir: entryFolder('@tensorflow/tfjs-backend-wasm') },
    { prefix: BROWSER_PATHS.ortWeb, dir: entryFolder('onnxruntime-web') },
  ];
}

/** page.ts bundled for the browser (the peers' JavaScript included; their .wasm files are fetched from the mounts). */
async function bundlePage(outfile: string): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outfile,
    logLevel: 'silent',
  });
}

const INDEX_HTML = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>tinyedge browser bench</title>
<script type="module" src="bench.js"></script>
`;

/** Writes `files` and the page to a temporary folder, serves it with the peers' folders and opens it in Chromium. */
export async function openBenchPage(files: Record<string, Uint8Array | string>): Promise<BenchPage> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyedge-browser-bench-'));
  for (const [name, content] of Object.entries({ ...files, 'index.html': INDEX_HTML })) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  await bundlePage(join(dir, 'bench.js'));
  const { server, url } = await serveFolders([{ prefix: '/', dir }, ...peerMounts()], { isolated: true });
  const browser = await launchChromium();
  const close = async () => {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, {
      timeout: 120_000,
    });
    return { page, errors, close };
  } catch (e) {
    await close();
    throw e;
  }
}
