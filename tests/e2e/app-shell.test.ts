import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { buildApp } from '../../server/src/app.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { ARTIFACTS, hasChromium, launchBrowser } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

describe.runIf(hasChromium || process.env.CI)(`the app in headless Chromium (${backend})`, () => {
  let app: FastifyInstance;
  let browser: Browser;
  let close: () => Promise<void>;
  let base: string;

  beforeAll(async () => {
    const t = await openTestDatabase();
    close = t.close;
    app = await buildApp({ db: t.db, clientDir: join(process.cwd(), 'dist/client') });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await close?.();
  });

  it('opens in Chinese and lists every layer group with its stored feature counts', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + '/');
    await expect.poll(() => page.locator('[data-testid=health]').textContent()).toContain('数据版本');
    expect(await page.locator('h1').textContent()).toBe('一张图');
    const groups = await page.locator('.catalog h2').allTextContents();
    expect(groups).toEqual(['三条控制线', '耕地', '存量土地', '执法图斑', '行政区划']);
    const farmland = page.locator('li[data-layer=permanent-farmland]');
    expect(await farmland.locator('.name').textContent()).toBe('永久基本农田');
    expect(await farmland.locator('.count').textContent()).toMatch(/^[\d,]+ 个要素$/);
    expect(await farmland.locator('.badge').textContent()).toBe('受控');
    await page.screenshot({ path: `${ARTIFACTS}/app-shell-${backend}.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('serves the client for deep links and keeps unknown API paths as JSON 404s', async () => {
    const page = await browser.newPage();
    const res = await page.goto(base + '/stock/CL410221-2020-00001');
    expect(res?.status()).toBe(200);
    expect(await page.title()).toContain('一张图');
    const api = await page.request.get(base + '/api/nope');
    expect(api.status()).toBe(404);
    expect((await api.json()).error.code).toBe('NOT_FOUND');
    await page.close();
  });
});
