/**
 * `buildApp(opts)`: the whole HTTP application with its database injected, so
 * tests build the real thing and call `app.inject()`.
 *
 * Plugin order: external (database, OpenAPI, errors) → modules → client.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from './db/database.ts';
import type { ReadRouting } from './db/replica.ts';
import dbPlugin from './plugins/db.ts';
import changesPlugin from './plugins/changes.ts';
import swaggerPlugin from './plugins/swagger.ts';
import errorsPlugin, { AppError, frameworkErrors } from './plugins/errors.ts';
import inputPlugin from './plugins/input.ts';
import drainPlugin from './plugins/drain.ts';
import authPlugin from './plugins/auth.ts';
import securityHeaders from './plugins/security-headers.ts';
import rateLimit from '@fastify/rate-limit';
import { openRateLimitRedis, sharedStore } from './plugins/rate-limit-store.ts';
import authRoutes from './modules/auth/routes.ts';
import healthRoutes from './modules/health/routes.ts';
import layerRoutes from './modules/layers/routes.ts';
import featureRoutes from './modules/features/routes.ts';
import tileRoutes from './modules/tiles/routes.ts';
import configRoutes, { type Basemap } from './modules/config/routes.ts';
import siteCheckRoutes from './modules/site-check/routes.ts';
import type { SiteCheckLimits } from './modules/site-check/budget.ts';
import geometryRoutes from './modules/geometry/routes.ts';
import siteCheckExportRoutes from './modules/site-check/exports.ts';
import stockRoutes from './modules/stock/routes.ts';
import caseRoutes from './modules/cases/routes.ts';
import layerAdminRoutes from './modules/layer-admin/routes.ts';
import { LayerJobs, type LayerJobsOptions } from './modules/layer-admin/service.ts';
import meRoutes from './modules/me/routes.ts';
import basemapRoutes from './modules/basemaps/routes.ts';
import { Basemaps, type BasemapOptions } from './modules/basemaps/service.ts';
import imageryRoutes from './modules/imagery/routes.ts';
import { forgetImagery } from './modules/imagery/store.ts';
import identifyRoutes from './modules/identify/routes.ts';
import searchRoutes from './modules/search/routes.ts';
import ledgerRoutes from './modules/ledger/routes.ts';
import ledgerIoRoutes from './modules/ledger/io-routes.ts';
import figuresRoutes from './modules/figures/routes.ts';
import landRequestRoutes from './modules/land-requests/routes.ts';
import { StockCatalogue } from './modules/stock/catalogue.ts';
import { installZodMessages } from '../../core/validation-messages.ts';

// zod's defaults in Chinese wherever an issue is read raw (the error handler answers in the request's language)
installZodMessages('zh');

export interface BuildAppOptions {
  db: Database;
  /**
   * Where reads may go besides the primary (`openReplica`, DATABASE_REPLICA_URL); unset: every
   * read on `db`. Closed with the app when `closeDbWithApp` is set.
   */
  reads?: ReadRouting;
  /** Close the database when the app closes (the server's main does; tests manage their own). */
  closeDbWithApp?: boolean;
  /** Directory of the built client to serve at `/`; skipped when missing. */
  clientDir?: string;
  logger?: boolean | { level: string };
  /** External raster base maps offered besides the offline one. */
  basemaps?: Basemap[];
  /** Tianditu (key, upstream URL, attribution), the PMTiles file, the tile proxy's time-out. */
  basemapSources?: BasemapOptions;
  /**
   * Redis the rate limits count in, shared by every instance (REDIS_URL, e.g.
   * redis://127.0.0.1:6379); unset: each instance counts in its own memory.
   */
  redisUrl?: string;
  /**
   * Whether this instance LISTENs for the changes other instances make (PostGIS; default true).
   * Off, its caches follow by polling alone (data versions each second, sessions in 10 s).
   */
  listenForChanges?: boolean;
  /** Requests per IP and minute (public, signed in, sign-in attempts); defaults 3 000, 20 000 and 20. */
  rateLimitPerMinute?: { public?: number; signedIn?: number; signIn?: number };
  /**
   * Which proxies in front may be believed about the client (X-Forwarded-For, -Proto): Fastify's
   * `trustProxy` — `true` for any, a hop count, or addresses/CIDRs. Unset: none (the socket's
   * address is the client's).
   */
  trustProxy?: boolean | number | string[];
  /** Site checks by the public and enterprises: daily budget per address and account, how long public checks are kept. */
  siteCheckLimits?: Partial<SiteCheckLimits>;
  /** Where uploaded layer files wait while their import is checked (the server's: DATA_DIR/uploads). */
  uploadDir?: string;
  /** The layer jobs' runner: whether this instance runs them, how soon a silent worker's job is taken over … */
  layerJobs?: Omit<LayerJobsOptions, 'log'>;
  /** Where orthophotos live (IMAGERY_DIR, default DATA_DIR/imagery): uploads, files registered by path, the demo's. */
  imageryDir?: string;
  /** How far from a site the stock-first step looks for stock land, km (STOCK_FIRST_RADIUS_KM); default 10. */
  stockFirstRadiusKm?: number;
  /** The provincial average farmland share of new construction land, % (FARMLAND_SHARE_PROVINCIAL_PCT); default 35. */
  farmlandShareAveragePct?: number;
  /**
   * The clock site checks are filed and approved by (a check's filing time, an approval's
   * "today"); tests set it to file a check in another year. Default: the system's.
   */
  clock?: () => Date;
}

/**
 * Features a page of ours never uses, switched off for every response (Permissions-Policy);
 * `fullscreen` stays for the map's fullscreen control.
 */
const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'autoplay=()',
  'camera=()',
  'display-capture=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'usb=()',
  'fullscreen=(self)',
].join(', ');

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 10 * 1024 * 1024,
    // a hop count trusts that many proxies nearest the app (Fastify's own reading of a number)
    ...(opts.trustProxy !== undefined
      ? { trustProxy: typeof opts.trustProxy === 'number' ? (_addr: string, hop: number) => hop < (opts.trustProxy as number) : opts.trustProxy }
      : {}),
    frameworkErrors,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // external
  await app.register(dbPlugin, { db: opts.db, reads: opts.reads, closeWithApp: opts.closeDbWithApp });
  // what other instances change reaches this one's caches (LISTEN/NOTIFY on PostGIS)
  await app.register(changesPlugin, { listen: opts.listenForChanges });
  await app.register(swaggerPlugin);
  await app.register(errorsPlugin);
  // text that cannot be stored (NUL, unpaired surrogates) is refused before anything reads it
  await app.register(inputPlugin);
  await app.register(drainPlugin);
  // who is asking: sessions, each route's declared access, CSRF (before any route is added)
  await app.register(authPlugin);
  const basemapOrigins = [...new Set((opts.basemaps ?? []).flatMap((b) => b.tiles.map((t) => new URL(t.replace(/\{[a-z]\}/g, '0')).origin)))];
  await app.register(securityHeaders, {
    helmet: {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:', ...basemapOrigins],
          connectSrc: ["'self'", ...basemapOrigins],
          workerSrc: ["'self'", 'blob:'],
          fontSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: null,
        },
    },
      // the map's tiles and glyphs are fetched by a worker from the same origin
      crossOriginEmbedderPolicy: false,
    },
    extra: { 'permissions-policy': PERMISSIONS_POLICY },
  });
  // per IP and minute; the public gets less than signed-in users (a map view fetches ~100 tiles).
  // Counted on request, after the session is known and before the access check, so requests
  // refused with 401/403 count against the address's limit as well.
  const redis = opts.redisUrl ? openRateLimitRedis(opts.redisUrl, app.log) : null;
  if (redis) app.addHook('onClose', async () => void (await redis.quit().catch(() => redis.disconnect())));
  await app.register(rateLimit, {
    hook: 'onRequest',
    // in Redis when configured (every instance counts together; in memory while it is down)
    ...(redis ? { store: sharedStore(redis, app.log) } : {}),
    max: (req) => (req.user ? opts.rateLimitPerMinute?.signedIn ?? 20_000 : opts.rateLimitPerMinute?.public ?? 3_000),
    timeWindow: '1 minute',
    // thrown, then answered by the errors plugin in the request's language (Retry-After is set)
    errorResponseBuilder: (_req, ctx) => {
      const s = Math.ceil(ctx.ttl / 1000);
      return new AppError(429, 'RATE_LIMITED', `请求过于频繁，请 ${s} 秒后再试`, `Too many requests; try again in ${s} s`);
    },
  });

  // app services shared by modules
  const stockCatalogue = new StockCatalogue(opts.db, { stockFirstRadiusKm: opts.stockFirstRadiusKm });
  app.decorate('stockCatalogue', stockCatalogue);
  // its index worker ends with the app
  app.addHook('onClose', async () => stockCatalogue.close());
  const basemaps = new Basemaps(opts.db, opts.basemapSources);
  app.decorate('basemaps', basemaps);
  app.changes.on('basemaps', () => basemaps.changed());
  app.changes.on('imagery', forgetImagery);

  // modules
  await app.register(authRoutes, { signInPerMinute: opts.rateLimitPerMinute?.signIn ?? 20 });
  await app.register(healthRoutes);
  await app.register(layerRoutes);
  await app.register(featureRoutes);
  await app.register(tileRoutes);
  await app.register(configRoutes, { basemaps: opts.basemaps ?? [] });
  await app.register(siteCheckRoutes, { limits: opts.siteCheckLimits, ...(opts.clock ? { clock: opts.clock } : {}) });
  await app.register(siteCheckExportRoutes);
  await app.register(geometryRoutes);
  await app.register(stockRoutes);
  await app.register(ledgerRoutes);
  await app.register(figuresRoutes, { farmlandShareAveragePct: opts.farmlandShareAveragePct });
  await app.register(landRequestRoutes);
  const layerJobs = new LayerJobs(opts.db, { log: app.log, soleInstance: opts.db.kind === 'embedded', ...opts.layerJobs });
  app.decorate('layerJobs', layerJobs);
  app.addHook('onReady', async () => layerJobs.start());
  app.addHook('preClose', async () => layerJobs.stop());
  app.addHook('onClose', async () => layerJobs.close());
  const uploadDir = opts.uploadDir ?? join(tmpdir(), 'yizhangtu-uploads');
  await app.register(caseRoutes, { jobs: layerJobs, uploadDir });
  await app.register(ledgerIoRoutes, { jobs: layerJobs, uploadDir });
  await app.register(layerAdminRoutes, { jobs: layerJobs, uploadDir });
  await app.register(meRoutes);
  await app.register(basemapRoutes);
  await app.register(imageryRoutes, { imageryDir: opts.imageryDir ?? join(tmpdir(), 'yizhangtu-imagery') });
  await app.register(identifyRoutes);
  await app.register(searchRoutes);

  // the client: static files, and index.html for client-side routes
  if (opts.clientDir && existsSync(join(opts.clientDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: opts.clientDir, wildcard: false });
    app.get('/*', { schema: { hide: true } }, (req, reply) => {
      const path = req.url.split('?')[0]!;
      if (path.startsWith('/api/') || path.startsWith('/tiles/') || path.startsWith('/fonts/') || path.startsWith('/docs')) {
        return reply.callNotFound();
      }
      return reply.sendFile(path !== '/' && existsSync(join(opts.clientDir!, path)) ? path : 'index.html');
    });
  }

  await app.ready();
  return app;
}
