import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { layers } from '../../core/layers.ts';
import { LayersResponse } from '../../core/contracts/layers.ts';
import type { Database } from '../../server/src/db/database.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';
import { withRollback } from '../helpers/rollback.ts';
import { readDataVersions } from '../../server/src/modules/data-version/service.ts';

describe(`health and layer catalog on ${backend}`, () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ app, db, stop } = await startApi());
  });
  afterAll(async () => {
    await stop?.();
  });

  it('GET /api/health names the backend and the data version, and no replica when none is configured', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({ status: 'ok', database: backend, dataVersion: expect.stringMatching(/^v\d+-[0-9a-f]{8}$/), replica: null });
  });

  it('GET /api/layers lists every registry layer with its data, never a table name', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/layers' });
    expect(res.statusCode).toBe(200);
    const body = LayersResponse.parse(res.json());
    expect(body.map((l) => l.id)).toEqual(layers.map((l) => l.id));
    for (const l of body) {
      expect(l.featureCount, l.id).toBeGreaterThan(0);
      expect(l.extent, l.id).not.toBeNull();
      const [minLon, minLat, maxLon, maxLat] = l.extent!;
      // inside Kaifeng's extent
      expect(minLon).toBeGreaterThan(113.8);
      expect(maxLon).toBeLessThan(115.3);
      expect(minLat).toBeGreaterThan(34.1);
      expect(maxLat).toBeLessThan(35.1);
    }
    for (const raw of res.json() as Record<string, unknown>[]) expect(Object.keys(raw)).not.toContain('table');
    expect(res.body).not.toContain('"permanent_farmland"');
  });

  it('marks farmland, red line, 城市紫线 and encroachments restricted, the boundary, stock land and counties public', async () => {
    const body = LayersResponse.parse((await app.inject({ method: 'GET', url: '/api/layers' })).json());
    const restricted = body.filter((l) => l.sensitivity === 'restricted').map((l) => l.id).sort();
    expect(restricted).toEqual(['eco-redline', 'encroachment', 'general-farmland', 'permanent-farmland', 'purple-line']);
  });

  it('changes the data version when a layer changes', async () => {
    const before = await readDataVersions(db);
    const after = await withRollback(db, async (tx) => {
      await tx.query(`DELETE FROM stock_parcel WHERE id = (SELECT min(id) FROM stock_parcel)`);
      return readDataVersions(tx);
    });
    expect(after.byLayer['stock-parcel']).toBe(before.byLayer['stock-parcel']! + 1);
    expect(after.byLayer['permanent-farmland']).toBe(before.byLayer['permanent-farmland']);
    expect(after.overall).not.toBe(before.overall);
  });

  it('answers an unknown API path with a 404 naming it, in Chinese by default and English on request', async () => {
    const zh = await app.inject({ method: 'GET', url: '/api/no-such-thing' });
    expect(zh.statusCode).toBe(404);
    expect(zh.json()).toEqual({ error: { code: 'NOT_FOUND', message: '找不到 GET /api/no-such-thing' } });
    const en = await app.inject({ method: 'GET', url: '/api/no-such-thing', headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect(en.json().error.message).toBe('Not found: GET /api/no-such-thing');
  });

  it('serves the OpenAPI description at /docs', async () => {
    const ui = await app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(ui.statusCode);
    const spec = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(spec.statusCode).toBe(200);
    const doc = spec.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/layers']));
    expect(doc.paths['/api/layers'].get.responses['200']).toBeDefined();
  });
});
