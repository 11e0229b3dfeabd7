/** @fileoverview A page in Debian's headless Chromium (playwright-core never downloads a browser) for browser tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { collectPageErrors, launchChromium } from '../../tools/browser/chromium.ts';
import { serveFolders } from '../../tools/browser/static-server.ts';

/** An open page, the folder it was served from, what went wrong in it, and how to close browser and server. */
export interface OpenPage {
  page: Page;
  dir: string;
  /** Console errors, uncaught exceptions, failed requests and HTTP errors (a 404 included), in order. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Writes `files` (paths relative to a new temporary folder) there, serves the folder on 127.0.0.1, opens its
 * index.html in Chromium and waits until the page sets `window.ready`; `isolated`: served with the cross-origin
 * isolation headers (WebAssembly threads need them).
 */
export async function openPageInChromium(
  files: Record<string, string | Uint8Array>,
  prefix: string,
  options: { isolated?: boolean } = {},
): Promise<OpenPage> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const { server, url } = await serveFolders([{ prefix: '/', dir }], options);
  const browser = await launchChromium();
  const page = await browser.newPage();
  const errors = collectPageErrors(page);
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, {
    timeout: 60_000,
  });
  return {
    page,
    dir,
    errors,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}
