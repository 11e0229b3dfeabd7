/** @fileoverview A page in Debian's headless Chromium (playwright-core never downloads a browser) for browser tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { serveFolder } from './static-server.ts';

/** Headless, no sandbox (CI runs as root), no GPU, and none of Chromium's background traffic. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** An open page, the folder it was served from, and how to close browser and server. */
export interface OpenPage {
  page: Page;
  dir: string;
  close(): Promise<void>;
}

/**
 * Writes `files` (paths relative to a new temporary folder) there, serves the folder on 127.0.0.1, opens its
 * index.html in Chromium and waits until the page sets `window.ready`; `headers` go with every response (e.g.
 * ISOLATION_HEADERS for threads).
 */
export async function openPageInChromium(
  files: Record<string, string | Uint8Array>,
  prefix: string,
  headers: Record<string, string> = {},
): Promise<OpenPage> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const { server, url } = await serveFolder(dir, headers);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, {
    timeout: 60_000,
  });
  return {
    page,
    dir,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}
