/** Base-map administration (底图管理): the Tianditu key and texts, the bureau's own tile services. */
import { z } from 'zod';
import { SERVICE_KINDS } from '../basemaps.ts';

export const BasemapService = z
  .object({
    id: z.number().int(),
    nameZh: z.string(),
    nameEn: z.string(),
    url: z.string(),
    kind: z.enum(SERVICE_KINDS),
    attribution: z.string(),
    minZoom: z.number().int(),
    maxZoom: z.number().int(),
    createdAt: z.string(),
    createdBy: z.string().nullable(),
  })
  .meta({ id: 'BasemapService' });
export type BasemapService = z.infer<typeof BasemapService>;

export const TiandituSettings = z
  .object({
    /** Where the key in use comes from: the admin page, the environment (TIANDITU_KEY), or none. */
    keySource: z.enum(['admin', 'env', 'none']),
    /** The key's last four characters, so an administrator can tell which one is in use. */
    keyHint: z.string().nullable(),
    attribution: z.string(),
    /** 审图号, shown with the attribution. */
    reviewNumber: z.string(),
    /** The upstream host (TIANDITU_URL). */
    url: z.string(),
  })
  .meta({ id: 'TiandituSettings' });

export const BasemapAdminResponse = z
  .object({
    tianditu: TiandituSettings,
    services: z.array(BasemapService),
    /** The offline vector base map file, when one is placed (BASEMAP_PMTILES). */
    pmtiles: z.object({ path: z.string(), bytes: z.number() }).nullable(),
  })
  .meta({ id: 'BasemapAdmin' });
export type BasemapAdminResponse = z.infer<typeof BasemapAdminResponse>;

const text = (max: number) => z.string().trim().max(max);

export const TiandituSettingsRequest = z
  .object({
    /** A new key; null removes the one set here (the environment's, if any, applies again). */
    key: z.union([z.string().trim().regex(/^[0-9a-zA-Z]{8,64}$/), z.null()]).optional(),
    attribution: text(200).optional(),
    reviewNumber: text(100).optional(),
  })
  .meta({ id: 'TiandituSettingsRequest' });

export const BasemapServiceRequest = z
  .object({
    nameZh: text(60).min(1),
    nameEn: text(60).min(1),
    url: text(2000).min(1),
    kind: z.enum(SERVICE_KINDS),
    attribution: text(200).default(''),
    minZoom: z.number().int().min(0).max(22).default(0),
    maxZoom: z.number().int().min(0).max(22).default(18),
  })
  .meta({ id: 'BasemapServiceRequest' });

export const BasemapServiceParams = z.object({ id: z.coerce.number().int().positive() });
export const TiandituTileParams = z.object({ layer: z.string(), z: z.coerce.number().int(), x: z.coerce.number().int(), y: z.coerce.number().int() });
export const ServiceTileParams = z.object({ id: z.coerce.number().int(), z: z.coerce.number().int(), x: z.coerce.number().int(), y: z.coerce.number().int() });
