import { ROLES } from '../../../../core/access.ts';
import { dataExtent } from '../../../../core/geometry-validation.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ClientConfigResponse } from '../../../../core/contracts/features.ts';
import type {} from '../basemaps/service.ts';

export interface Basemap {
  id: string;
  name: string;
  tiles: string[];
  attribution: string;
  maxzoom: number;
}

/** Reads external base maps from the environment: BASEMAP_URL (XYZ raster), BASEMAP_NAME, BASEMAP_ATTRIBUTION, BASEMAP_MAXZOOM. */
export function basemapsFromEnv(env: NodeJS.ProcessEnv): Basemap[] {
  const url = env.BASEMAP_URL?.trim();
  if (!url) return [];
  if (!/\{z\}/.test(url) || !/\{x\}/.test(url) || !/\{y\}/.test(url)) {
    throw new Error(`BASEMAP_URL 须含 {z}、{x}、{y} 占位符：${url}`);
  }
  return [
    {
      id: 'external',
      name: env.BASEMAP_NAME?.trim() || '在线底图',
      tiles: url.includes('{s}') ? ['a', 'b', 'c'].map((s) => url.replace('{s}', s)) : [url],
      attribution: env.BASEMAP_ATTRIBUTION?.trim() || '',
      maxzoom: Number(env.BASEMAP_MAXZOOM) || 18,
    },
  ];
}

const routes: FastifyPluginAsyncZod<{ basemaps: Basemap[] }> = async (app, opts) => {
  app.get(
    '/api/config',
    {
      config: { access: ROLES },
      schema: {
        summary: '前端配置 Client configuration',
        description: '可选的底图（离线底图总是可用）：离线矢量底图（已放置 PMTiles 时）、天地图（已配置密钥时）、本局添加的服务、BASEMAP_URL；以及瓦片最大请求级别。',
        tags: ['system'],
        response: { 200: ClientConfigResponse },
      },
    },
    async () => ({ basemaps: [...(app.hasDecorator('basemaps') ? await app.basemaps.forClient() : []), ...opts.basemaps], maxTileZoom: 16, dataExtent: dataExtent() }),
  );
};
export default routes;
