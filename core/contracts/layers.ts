import { z } from 'zod';
import { LAYER_GROUP_IDS, LAYER_IDS } from '../layers.ts';

export const LayerAttributeSchema = z.object({
  name: z.string(),
  labelZh: z.string(),
  labelEn: z.string(),
  type: z.enum(['text', 'number', 'date', 'area']),
  unit: z.string().optional(),
});

export const LayerStyleSchema = z.object({
  fillColor: z.string(),
  fillOpacity: z.number(),
  lineColor: z.string(),
  lineWidth: z.number(),
  lineDash: z.array(z.number()).optional(),
});

/** A registry entry as the API publishes it (no table name). */
export const LayerInfoSchema = z
  .object({
    id: z.enum(LAYER_IDS),
    nameZh: z.string(),
    nameEn: z.string(),
    group: z.enum(LAYER_GROUP_IDS),
    geometryType: z.literal('MultiPolygon'),
    srid: z.literal(4490),
    sensitivity: z.enum(['public', 'restricted']),
    minZoom: z.number().int(),
    maxFeaturesPerTile: z.number().int(),
    codeColumn: z.string(),
    attributes: z.array(LayerAttributeSchema),
    tileAttributes: z.array(z.string()),
    style: LayerStyleSchema,
    /** Place in the map, bottom (smallest) to top. */
    drawOrder: z.number().int(),
    visibleByDefault: z.boolean(),
    /** Features currently stored. */
    featureCount: z.number().int(),
    /** [minLon, minLat, maxLon, maxLat] of the stored features, null when empty. */
    extent: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
    dataVersion: z.number().int(),
  })
  .meta({ id: 'LayerInfo' });
export type LayerInfo = z.infer<typeof LayerInfoSchema>;

export const LayersResponse = z.array(LayerInfoSchema).meta({ id: "LayersResponse" });
export type LayersResponse = z.infer<typeof LayersResponse>;
