/**
 * `buildApp(opts)`: the whole HTTP application with its database injected, so
 * tests build the real thing and call `app.inject()`.
 *
 * Plugin order: external (database, OpenAPI, errors) → modules → client.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from './db/database.ts';
import dbPlugin from './plugins/db.ts';
import swaggerPlugin from './plugins/swagger.ts';
import errorsPlugin from './plugins/errors.ts';
import drainPlugin from './plugins/drain.ts';
import authPlugin from './plugins/auth.ts';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import authRoutes from './modules/auth/routes.ts';
import healthRoutes from './modules/health/routes.ts';
import layerRoutes from './modules/layers/routes.ts';
import featureRoutes from './modules/features/routes.ts';
import tileRoutes from './modules/tiles/routes.ts';
import configRoutes, { type Basemap } from './modules/config/routes.ts';
import siteCheckRoutes from './modules/site-check/routes.ts';
import geometryRoutes from './modules/geometry/routes.ts';
import siteCheckExportRoutes from './modules/site-check/exports.ts';
import stockRoutes from './modules/stock/routes.ts';
import caseRoutes from './modules/cases/routes.ts';
import layerAdminRoutes from './modules/layer-admin/routes.ts';
import meRoutes from './modules/me/routes.ts';
import { StockCatalogue } from './modules/stock/catalogue.ts';

export interface BuildAppOptions {
  db: Database;
  /** Close the database when the app closes (the server's main does; tests manage their own). */
  closeDbWithApp?: boolean;
  /** Directory of the built client to serve at `/`; skipped when missing. */
  clientDir?: string;
  logger?: boolean | { level: string };
  /** External raster base maps offered besides the offline one. */
  basemaps?: Basemap[];
  /** Requests per IP and minute (public, signed in); defaults 3 000 and 20 000. */
  rateLimitPerMinute?: { public?: number; signedIn?: number };
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 10 * 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // external
  await app.register(dbPlugin, { db: opts.db, closeWithApp: opts.closeDbWithApp });
  await app.register(swaggerPlugin);
  await app.register(errorsPlugin);
  await app.register(drainPlugin);
  // who is asking: sessions, each route's declared access, CSRF (before any route is added)
  await app.register(authPlugin);
  const basemapOrigins = [...new Set((opts.basemaps ?? []).flatMap((b) => b.tiles.map((t) => new URL(t.replace(/\{[a-z]\}/g, '0')).origin)))];
  await app.register(helmet, {
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
  });
  // per IP and minute; the public gets less than signed-in users (a map view fetches ~100 tiles)
  await app.register(rateLimit, {
    hook: 'preHandler',
    max: (req) => (req.user ? opts.rateLimitPerMinute?.signedIn ?? 20_000 : opts.rateLimitPerMinute?.public ?? 3_000),
    timeWindow: '1 minute',
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      error: { code: 'RATE_LIMITED', message: `请求过于频繁，请 ${Math.ceil(ctx.ttl / 1000)} 秒后再试` },
    }),
  });

  // app services shared by modules
  app.decorate('stockCatalogue', new StockCatalogue(opts.db));

  // modules
  await app.register(authRoutes);
  await app.register(healthRoutes);
  await app.register(layerRoutes);
  await app.register(featureRoutes);
  await app.register(tileRoutes);
  await app.register(configRoutes, { basemaps: opts.basemaps ?? [] });
  await app.register(siteCheckRoutes);
  await app.register(siteCheckExportRoutes);
  await app.register(geometryRoutes);
  await app.register(stockRoutes);
  await app.register(caseRoutes);
  await app.register(layerAdminRoutes);
  await app.register(meRoutes);

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
