import { ROLES } from '../../../../core/access.ts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getLayer, type LayerDefinition } from '../../../../core/layers.ts';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import {
  CountiesResponse,
  FeatureCollectionResponse,
  FeatureDetailResponse,
  FeatureIdParam,
  FeaturesQuery,
  TileJsonResponse,
} from '../../../../core/contracts/features.ts';
import { toAreaUnits } from '../../../../core/units.ts';
import { AppError } from '../../plugins/errors.ts';
import { readLayerStats } from '../layers/repo.ts';
import { counties, featureById, featuresInBbox } from './repo.ts';

const LayerParam = z.object({ layer: z.string().meta({ example: 'stock-parcel' }) });

function layerOr404(id: string): LayerDefinition {
  const layer = getLayer(id);
  if (!layer) throw new AppError(404, 'UNKNOWN_LAYER', `没有名为 “${id}” 的图层`, `No layer named "${id}"`);
  return layer;
}

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/layers/:layer/features',
    {
      config: { access: { layerParam: 'layer' } },
      schema: {
        summary: '范围内要素 Features in a box',
        description: `与 bbox 相交的要素（GeoJSON，EPSG:4490 经纬度），最多 limit 个；更多时 truncated 为 true。`,
        tags: ['layers'],
        params: LayerParam,
        querystring: FeaturesQuery,
        response: { 200: FeatureCollectionResponse, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => {
      const layer = layerOr404(req.params.layer);
      const { features, truncated } = await featuresInBbox(req.reader, layer, req.query.bbox, req.query.limit);
      return { type: 'FeatureCollection' as const, features, truncated, limit: req.query.limit };
    },
  );

  app.get(
    '/api/layers/:layer/features/:id',
    {
      config: { access: { layerParam: 'layer' } },
      schema: {
        summary: '单个要素 One feature',
        description: '一个要素及其全部属性，面积以 m²、公顷、亩给出（CGCS2000 椭球面积）。',
        tags: ['layers'],
        params: LayerParam.extend({ id: FeatureIdParam }),
        response: { 200: FeatureDetailResponse, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (req) => {
      const layer = layerOr404(req.params.layer);
      const feature = await featureById(req.reader, layer, req.params.id);
      if (!feature) {
        throw new AppError(404, 'FEATURE_NOT_FOUND', `图层“${layer.nameZh}”中没有编号为 ${req.params.id} 的要素`, `No feature ${req.params.id} in layer ${layer.id}`);
      }
      return { ...feature, layer: layer.id, area: toAreaUnits(Number(feature.properties.area_m2 ?? 0)) };
    },
  );

  app.get(
    '/api/layers/:layer/tilejson',
    {
      config: { access: { layerParam: 'layer' } },
      schema: {
        summary: 'TileJSON',
        description: '图层的 TileJSON 3.0.0 描述，由图层注册表生成。',
        tags: ['layers'],
        params: LayerParam,
        response: { 200: TileJsonResponse, 404: ErrorResponse },
      },
    },
    async (req) => {
      const layer = layerOr404(req.params.layer);
      const stats = await readLayerStats(req.reader, layer);
      const origin = `${req.protocol}://${req.host}`;
      const fields = Object.fromEntries(
        layer.tileAttributes.map((name) => {
          const a = layer.attributes.find((x) => x.name === name);
          return [name, a ? `${a.labelZh} ${a.labelEn}` : name];
        }),
      );
      const name = layer.id.replace(/-/g, '_');
      return {
        tilejson: '3.0.0' as const,
        name: layer.nameZh,
        description: layer.nameEn,
        tiles: [`${origin}/tiles/${layer.id}/{z}/{x}/{y}.mvt`],
        minzoom: layer.minZoom,
        maxzoom: 16,
        ...(stats.extent ? { bounds: stats.extent } : {}),
        vector_layers: [{ id: name, description: layer.nameZh, minzoom: layer.minZoom, maxzoom: 16, fields }],
      };
    },
  );

  app.get(
    '/api/counties',
    {
      config: { access: ROLES },
      schema: {
        summary: '县级行政区 Counties',
        description: '县区列表：代码、名称、面积、范围与标注点。',
        tags: ['layers'],
        response: { 200: CountiesResponse },
      },
    },
    async (req) => counties(req.reader),
  );
};
export default routes;
