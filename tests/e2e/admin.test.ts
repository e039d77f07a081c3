/**
 * The administrators' pages in Chromium, on a database no other file shares: an account created
 * on /admin/users signs in, is disabled and is refused; the audit log lists both; a planner and
 * the public are turned away from /admin; on /admin/layers a GeoJSON replaces the urban
 * development boundary after its check (with progress, summary and problems) and version 1 is
 * restored — what the page says checked against the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Database } from '../../server/src/db/database.ts';
import { createUser } from '../../server/src/modules/auth/service.ts';
import { startWorkspace } from '../helpers/workspace.ts';
import { ARTIFACTS, hasChromium } from '../helpers/browser.ts';
import { backend } from '../helpers/backend.ts';

describe.runIf(hasChromium || process.env.CI)(`administration pages (${backend})`, () => {
  let db: Database;
  let browser: Browser;
  let stop: () => Promise<void>;
  let base: string;
  const suffix = Date.now().toString(36);
  const enterprise = { username: `ent-${suffix}`, password: 'Factory-site-2026' };

  beforeAll(async () => {
    ({ db, base, browser, stop } = await startWorkspace({ as: 'admin', privateDatabase: true }));
  });
  afterAll(async () => {
    await stop?.();
  });

  /** A page with no session (a different person's browser). */
  const freshPage = async () => (await browser.newContext()).newPage();

  async function signIn(page: Page, username: string, password: string, next: string) {
    await page.goto(`${base}/signin?next=${encodeURIComponent(next)}`);
    await page.locator('input[name=username]').fill(username);
    await page.locator('input[name=password]').fill(password);
    await page.locator('.signin-form button[type=submit]').click();
  }

  it('creates an account that can sign in, disables it and the sign-in is refused; the audit log shows both', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/admin/users`);
    await page.locator('[data-testid=user-table]').waitFor();
    // a password the server refuses: its message, nothing created
    const form = page.locator('[data-testid=user-create]');
    await form.locator('input[name=username]').fill(enterprise.username);
    await form.locator('input[name=displayName]').fill('开封某制造有限公司');
    await form.locator('select[name=role]').selectOption('enterprise');
    await form.locator('input[name=password]').fill('short');
    await form.locator('button[type=submit]').click();
    const notice = page.locator('[data-testid=admin-notice]');
    await page.waitForFunction(() => document.querySelector('[data-testid=admin-notice]')?.textContent?.includes('密码'));
    expect(await notice.getAttribute('role')).toBe('alert');
    expect(await notice.textContent()).toContain('密码至少 10 个字符');
    expect(await db.query('SELECT 1 FROM app_user WHERE username = $1', [enterprise.username])).toHaveLength(0);

    await form.locator('input[name=password]').fill(enterprise.password);
    await form.locator('button[type=submit]').click();
    const row = page.locator(`tr[data-username="${enterprise.username}"]`);
    await row.waitFor();
    expect(await notice.textContent()).toBe(`已创建账号 ${enterprise.username}`);
    expect(await row.locator('select[data-field=role] option:checked').textContent()).toBe('企业');
    expect(await row.getAttribute('data-state')).toBe('active');
    const [stored] = await db.query<{ role: string; display_name: string }>('SELECT role, display_name FROM app_user WHERE username = $1', [enterprise.username]);
    expect(stored).toEqual({ role: 'enterprise', display_name: '开封某制造有限公司' });
    // the administrator's own row cannot be disabled
    const me = page.locator('tr[data-state=active]').filter({ has: page.locator('td', { hasText: /^test-admin-/ }) });
    expect(await me.locator('button[data-action=disable]').isDisabled()).toBe(true);

    // the new account signs in
    const other = await freshPage();
    await signIn(other, enterprise.username, enterprise.password, '/stock');
    await other.waitForURL((u) => u.pathname === '/stock');
    await other.locator('[data-testid=session-user]').waitFor();
    expect(await other.locator('[data-testid=session-user]').getAttribute('data-role')).toBe('enterprise');
    await other.context().close();

    // disabled: the row says so, and the sign-in is refused with the server's message
    await row.locator('button[data-action=disable]').click();
    await page.waitForFunction((u) => document.querySelector(`tr[data-username="${u}"]`)?.getAttribute('data-state') === 'disabled', enterprise.username);
    expect(await row.locator('td[data-field=state]').textContent()).toBe('已停用');
    const refused = await freshPage();
    await signIn(refused, enterprise.username, enterprise.password, '/stock');
    const error = refused.locator('[data-testid=signin-error]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/停用|用户名或密码/);
    expect(new URL(refused.url()).pathname).toBe('/signin');
    await refused.context().close();

    // the audit log: the sign-in and the change, in words
    await page.locator('a[data-tab=audit-log]').click();
    await page.locator('[data-testid=audit-table] tbody tr').first().waitFor();
    const text = await page.locator('[data-testid=audit-table]').textContent();
    expect(text).toContain('登录');
    expect(text).toContain('账号变更');
    expect(text).toContain('停用：是');
    // details in words: the role by its name, no codes or English keys ("角色：enterprise", "locked：否" were)
    expect(text).toContain('角色：企业');
    expect(text).not.toMatch(/角色：(enterprise|planner|auditor|admin)|locked|wrong password|by：/);
    const signInRow = page.locator('[data-testid=audit-table] tr[data-action=sign-in]', { hasText: enterprise.username });
    expect(await signInRow.count()).toBe(1);
    await page.locator('[data-testid=audit-action]').selectOption('user-changed');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('action') === 'user-changed');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=audit-table] tbody tr')].every((r) => r.getAttribute('data-action') === 'user-changed'));
    expect(await page.locator('[data-testid=audit-table] tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}/admin-audit-log-${backend}.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sends the CSRF token on changes itself (the browser’s own fetch), and once more with a fresh one after a new sign-in', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/admin/users`);
    await page.locator('[data-testid=user-table]').waitFor();
    // nothing global is patched: fetch and XMLHttpRequest are the browser's own
    const native = await page.evaluate(() =>
      [window.fetch, XMLHttpRequest.prototype.open, XMLHttpRequest.prototype.send, XMLHttpRequest.prototype.setRequestHeader].map((f) => /\{\s*\[native code\]\s*\}/.test(Function.prototype.toString.call(f))),
    );
    expect(native).toEqual([true, true, true, true]);
    const { csrfToken: first } = (await (await page.request.get(`${base}/api/session`)).json()) as { csrfToken: string };
    expect(first).toBeTruthy();

    // signed in again (as another tab would): the page still holds the first session's token
    const again = { username: `admin2-${suffix}`, password: 'Second-admin-2026' };
    await createUser(db, { ...again, role: 'admin' });
    const signIn2 = await page.request.post(`${base}/api/session`, { data: again });
    expect(signIn2.status()).toBe(200);
    const { csrfToken: second } = (await signIn2.json()) as { csrfToken: string };
    expect(second).not.toBe(first);

    const sent: { token: string | null; status: number }[] = [];
    page.on('response', (r) => {
      const q = r.request();
      if (q.method() === 'POST' && new URL(q.url()).pathname === '/api/admin/users') sent.push({ token: q.headers()['x-csrf-token'] ?? null, status: r.status() });
    });
    const form = page.locator('[data-testid=user-create]');
    const username = `retry-${suffix}`;
    await form.locator('input[name=username]').fill(username);
    await form.locator('select[name=role]').selectOption('planner');
    await form.locator('input[name=password]').fill('Retry-password-2026');
    await form.locator('button[type=submit]').click();
    await page.locator(`tr[data-username="${username}"]`).waitFor();
    expect(sent).toEqual([
      { token: first, status: 403 },
      { token: second, status: 201 },
    ]);
    expect(await page.locator('[data-testid=admin-notice]').textContent()).toBe(`已创建账号 ${username}`);
    // a read carries no token
    const reads: (string | null)[] = [];
    page.on('request', (q) => q.method() === 'GET' && new URL(q.url()).pathname === '/api/admin/users' && reads.push(q.headers()['x-csrf-token'] ?? null));
    await page.reload();
    await page.locator('[data-testid=user-table]').waitFor();
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.filter((t) => t !== null)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('turns a planner and the public away from /admin', async () => {
    const planner = { username: `planner-${suffix}`, password: 'Planner-pass-2026' };
    await createUser(db, { ...planner, role: 'planner' });
    const page = await freshPage();
    await page.goto(`${base}/admin/users`);
    await page.locator('[data-testid=admin-denied]').waitFor();
    expect(await page.locator('[data-testid=admin-denied]').textContent()).toContain('请先登录');
    await signIn(page, planner.username, planner.password, '/admin/users');
    await page.waitForURL((u) => u.pathname === '/admin/users');
    await page.locator('[data-testid=admin-denied]').waitFor();
    expect(await page.locator('[data-testid=admin-denied]').textContent()).toContain('规划人员');
    expect(await page.locator('[data-testid=user-table]').count()).toBe(0);
    await page.context().close();
  });

  it('replaces the urban development boundary from a GeoJSON after its check, and restores version 1', async () => {
    const [p] = await db.query<{ lon: number; lat: number }>(
      `SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_PointOnSurface(geom) AS p FROM admin_county ORDER BY area_m2 DESC LIMIT 1) s`,
    );
    const [lon, lat] = [Number(p!.lon), Number(p!.lat)];
    const sq = (x: number, d: number) => [[[x, lat], [x + d, lat], [x + d, lat + d], [x, lat + d], [x, lat]]];
    const fc = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { BSM: 'UB-E2E-1', MC: '东区' }, geometry: { type: 'Polygon', coordinates: sq(lon, 0.01) } },
        { type: 'Feature', properties: { BSM: 'UB-E2E-2', MC: '西区' }, geometry: { type: 'Polygon', coordinates: sq(lon + 0.02, 0.01) } },
        { type: 'Feature', properties: { BSM: 'UB-E2E-3' }, geometry: { type: 'Polygon', coordinates: sq(121, 0.01) } },
      ],
    };
    const [{ n: before }] = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM urban_boundary')) as [{ n: number }];

    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/admin/layers`);
    const card = page.locator('article[data-layer=urban-boundary]');
    await card.locator('[data-testid=layer-active]').waitFor();
    expect(await card.locator('[data-testid=layer-active]').textContent()).toContain(`在用：第 1 版，${before} 个要素`);

    const uploads: (string | null)[] = [];
    page.on('request', (q) => q.method() === 'POST' && /\/api\/admin\/layers\/urban-boundary\/imports/.test(q.url()) && uploads.push(q.headers()['x-csrf-token'] ?? null));
    const { csrfToken } = (await (await page.request.get(`${base}/api/session`)).json()) as { csrfToken: string };
    await card.locator('[data-testid=layer-file]').setInputFiles({ name: '城镇开发边界2026.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(fc)) });
    await card.locator('button[data-action=check]').click();
    const summary = card.locator('[data-testid=layer-summary]');
    await summary.waitFor({ timeout: 30_000 });
    expect(await summary.locator('[data-field=count]').textContent()).toContain('文件 3 个，将导入 2 个，1 个不导入');
    // the upload (XMLHttpRequest, for its progress) carried the session's token
    expect(uploads).toEqual([csrfToken]);
    expect(await summary.locator('[data-field=replaces]').textContent()).toContain(`第 1 版：${before} 个要素`);
    expect(await summary.locator('[data-field=fields]').textContent()).toContain('图斑编号 ← BSM');
    // columns by their labels, not their database names (county_code)
    expect(await summary.locator('[data-field=fields]').textContent()).not.toMatch(/\b[a-z]+_[a-z_]+ ←/);
    const problem = summary.locator('[data-testid=layer-problems] tr[data-row="3"]');
    expect(await problem.textContent()).toContain('不在开封市任何县区内');
    // nothing written by the check
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM urban_boundary'))[0]!.n).toBe(before);
    await page.screenshot({ path: `${ARTIFACTS}/admin-layer-check-${backend}.png` });

    await card.locator('[data-testid=layer-note]').fill('测试替换');
    await card.locator('button[data-action=commit]').click();
    await card.locator('[data-testid=layer-done]').waitFor({ timeout: 60_000 });
    expect(await card.locator('[data-testid=layer-done]').textContent()).toBe('已替换：城镇开发边界现为第 2 版');
    await page.waitForFunction(() => document.querySelector('article[data-layer=urban-boundary] [data-testid=layer-active]')?.textContent?.includes('第 2 版'));
    expect(await card.locator('[data-testid=layer-active]').textContent()).toContain('在用：第 2 版，2 个要素');
    expect(await card.locator('tr[data-version="1"]').getAttribute('data-state')).toBe('archived');
    expect(await card.locator('tr[data-version="2"]').textContent()).toContain('城镇开发边界2026.geojson');
    const codes = await db.query<{ code: string }>('SELECT code FROM urban_boundary ORDER BY code');
    expect(codes.map((c) => c.code)).toEqual(['UB-E2E-1', 'UB-E2E-2']);

    await card.locator('tr[data-version="1"] button[data-action=restore]').click();
    await page.waitForFunction(() => document.querySelector('article[data-layer=urban-boundary] [data-testid=layer-done]')?.textContent?.includes('已恢复'), null, { timeout: 60_000 });
    expect(await card.locator('[data-testid=layer-done]').textContent()).toBe('已恢复：城镇开发边界现为第 1 版');
    await page.waitForFunction(() => document.querySelector('article[data-layer=urban-boundary] [data-testid=layer-active]')?.textContent?.includes('第 1 版'));
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM urban_boundary'))[0]!.n).toBe(before);
    expect(await card.locator('tr[data-version="2"]').getAttribute('data-state')).toBe('archived');
    await page.screenshot({ path: `${ARTIFACTS}/admin-layers-${backend}.png` });
    expect(errors).toEqual([]);
    await page.close();
  });
});
