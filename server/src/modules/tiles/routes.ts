import { ROLES } from '../../../../core/access.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getLayer } from '../../../../core/layers.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { AppError } from '../../plugins/errors.ts';
import { layerSourceFor } from './layer-source.ts';
import { TileService } from './service.ts';
import { BASEMAP, basemapSourceFor } from './basemap-source.ts';
import { MAX_TILE_ZOOM, isValidTile } from './tile-math.ts';

declare module 'fastify' {
  interface FastifyInstance {
    tiles: TileService;
  }
}

const TileParams = z.object({
  layer: z.string(),
  z: z.string(),
  x: z.string(),
  y: z.string(),
});

const intParam = (v: string) => (/^\d{1,9}$/.test(v) ? Number(v) : NaN);

const routes: FastifyPluginAsyncZod = async (app) => {
  const tiles = new TileService(app.db, layerSourceFor(app.db), { basemap: basemapSourceFor(app.db) });
  app.decorate('tiles', tiles);
  app.changes.on('data-version', () => tiles.forgetVersions());

  app.get(
    '/tiles/:layer/:z/:x/:y.mvt',
    {
      config: { access: { layerParam: 'layer' } },
      schema: {
        summary: '矢量瓦片 Vector tile',
        description:
          'Mapbox Vector Tile（EPSG:3857 XYZ）。空瓦片返回 204；低于图层最小级别返回 204；未知图层 404；z/x/y 越界 400。' +
          '图层名 basemap 为离线底图（水系、道路、建成区、地名；MVT 图层 basemap），公开。',
        tags: ['tiles'],
        params: TileParams,
        response: {
          200: z.any().meta({ description: 'application/vnd.mapbox-vector-tile' }),
          204: z.null().meta({ description: '空瓦片 empty tile' }),
          304: z.null(),
          400: ErrorResponse,
          404: ErrorResponse,
        },
      },
    },
    async (req, reply) => {
      const layer = getLayer(req.params.layer);
      const basemap = req.params.layer === BASEMAP;
      if (!layer && !basemap) {
        throw new AppError(404, 'UNKNOWN_LAYER', `没有名为 “${req.params.layer}” 的图层`, `No layer named "${req.params.layer}"`);
      }
      const z = intParam(req.params.z);
      const x = intParam(req.params.x);
      const y = intParam(req.params.y);
      if (!isValidTile(z, x, y)) {
        throw new AppError(
          400,
          'INVALID_TILE',
          `瓦片坐标无效：${req.params.z}/${req.params.x}/${req.params.y}（z 须为 0–${MAX_TILE_ZOOM} 的整数，x、y 须为 0 到 2^z−1 的整数）`,
          `Invalid tile ${req.params.z}/${req.params.x}/${req.params.y} (z must be an integer 0–${MAX_TILE_ZOOM}, x and y integers 0 to 2^z−1)`,
        );
      }
      // browsers keep a tile a minute; a shared cache (deploy/nginx.conf) a second, then
      // revalidates it by ETag, so a data change reaches it within about a second
      reply.header('cache-control', 'public, max-age=60, s-maxage=1');
      if (layer && z < layer.minZoom) {
        return reply.status(204).send(null);
      }
      const reader = req.reader;
      const tile = tiles.cachedTile(req.params.layer, z, x, y, reader.source) ?? (layer ? await tiles.tile(layer, z, x, y, reader) : await tiles.basemapTile(z, x, y, reader));
      reply.header('etag', tile.etag);
      reply.header('x-tile-features', String(tile.features));
      reply.header('x-cache', tile.cached ? 'hit' : 'miss');
      if (req.headers['if-none-match'] === tile.etag) return reply.status(304).send(null);
      if (!tile.features) return reply.status(204).send(null);
      return reply.type('application/vnd.mapbox-vector-tile').send(tile.body);
    },
  );

  // Glyphs: labels are Chinese and drawn with the browser's local CJK font
  // (MapLibre's localIdeographFontFamily), so no glyph server is needed; every
  // range is answered with an empty glyph set, which keeps the map offline.
  app.get(
    '/fonts/:fontstack/:range.pbf',
    { config: { access: ROLES }, schema: { hide: true, params: z.object({ fontstack: z.string(), range: z.string() }) } },
    async (_req, reply) => reply.type('application/x-protobuf').header('cache-control', 'public, max-age=86400').send(Buffer.alloc(0)),
  );
};
export default routes;
