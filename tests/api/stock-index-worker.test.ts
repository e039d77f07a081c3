/**
 * The stock-land catalogue's index worker (server/src/modules/stock/index-client.ts): a worker
 * lost in the middle of a question is replaced and the question answered as before; a worker
 * that cannot start or never answers gives a 503, not a wait; the app's close ends it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Worker } from 'node:worker_threads';
import { buildApp } from '../../server/src/app.ts';
import type { Database } from '../../server/src/db/database.ts';
import { StockCatalogue } from '../../server/src/modules/stock/catalogue.ts';
import { startApi } from '../helpers/api.ts';
import { backend } from '../helpers/backend.ts';

const fixture = (name: string) => new URL(`../fixtures/stock-index/${name}`, import.meta.url);

describe(`the stock-land index worker (${backend})`, () => {
  let app: FastifyInstance;
  let db: Database;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ app, db, stop } = await startApi());
  });
  afterAll(async () => {
    await stop?.();
  });

  const near = async () => {
    const [p] = await db.query<{ x: number; y: number }>(
      `SELECT ST_X(ST_PointOnSurface(geom)) AS x, ST_Y(ST_PointOnSurface(geom)) AS y FROM stock_parcel WHERE status = '可供应' AND planned_use = '工业' ORDER BY code LIMIT 1`,
    );
    return { type: 'Point' as const, coordinates: [p!.x, p!.y] };
  };
  const match = (body: object) => app.inject({ method: 'POST', url: '/api/stock-parcels/match', payload: body });

  it('answers a match whose worker is lost in the middle of it from a new worker, exactly as before, and goes on answering', async () => {
    const body = { use: '工业', areaMu: 30, near: await near(), maxDistanceKm: 10 };
    const before = await match(body);
    expect(before.statusCode, before.body).toBe(200);
    expect(before.json().candidates.length).toBeGreaterThan(0);
    const search = await app.inject({ method: 'GET', url: '/api/stock-parcels?use=工业&sort=-area' });
    expect(search.statusCode).toBe(200);

    const client = app.stockCatalogue.indexWorker;
    const first = client.threadId;
    expect(first).not.toBeNull();
    // the thread ends with the question in hand, as a crash would end it
    const worker = (client as unknown as { worker: Worker }).worker;
    const post = worker.postMessage.bind(worker);
    worker.postMessage = ((message: { op: string }, transfer?: never) => {
      if (message.op === 'match') void worker.terminate();
      else post(message, transfer);
    }) as Worker['postMessage'];
    const after = await match(body);
    expect(after.statusCode, after.body).toBe(200);
    expect(after.body).toBe(before.body);
    expect(client.threadId).not.toBeNull();
    expect(client.threadId).not.toBe(first);
    // the new worker holds the whole index: search answers as before too
    const again = await app.inject({ method: 'GET', url: '/api/stock-parcels?use=工业&sort=-area' });
    expect(again.body).toBe(search.body);
  });

  it('answers 503 naming the library when its worker cannot start, and when it never answers', async () => {
    for (const [file, limits] of [
      ['broken-worker.mjs', {}],
      ['silent-worker.mjs', { taskTimeoutMs: 1_000, loadTimeoutMs: 1_000 }],
    ] as const) {
      const catalogue = new StockCatalogue(db, { indexWorker: { url: fixture(file), ...limits } });
      try {
        await expect(catalogue.match({ use: '工业', areaMu: 30, limit: 5 }), file).rejects.toMatchObject({ statusCode: 503, code: 'STOCK_INDEX_UNAVAILABLE', zh: expect.stringContaining('存量土地图库') });
        await expect(catalogue.search({ page: 1, pageSize: 20, sort: '-area', areaUnit: 'mu' } as never), file).rejects.toMatchObject({ statusCode: 503 });
      } finally {
        await catalogue.close();
      }
    }
  });

  it('ends its worker when the app closes', async () => {
    const other = await buildApp({ db });
    const r = await other.inject({ method: 'GET', url: '/api/stock-parcels' });
    expect(r.statusCode).toBe(200);
    const worker = (other.stockCatalogue.indexWorker as unknown as { worker: Worker }).worker;
    const exited = new Promise<number>((res) => worker.once('exit', res));
    await other.close();
    await exited;
    expect(other.stockCatalogue.indexWorker.threadId).toBeNull();
  });
});
