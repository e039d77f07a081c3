/**
 * Headless Chromium from Debian (never a downloaded browser), driven by
 * playwright-core, against the real app listening on a loopback port.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
export const ARTIFACTS = 'test-results/screenshots';

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Waits until the workspace map exists, its style has loaded and it has finished rendering. */
export async function mapIdle(page: Page): Promise<void> {
  await page.waitForFunction(() => !!window.yizhangtu?.controller?.map.isStyleLoaded(), null, { timeout: 30_000 });
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const map = window.yizhangtu!.controller.map;
        if (map.loaded() && map.areTilesLoaded()) resolve();
        else map.once('idle', () => resolve());
      }),
  );
}
