/**
 * Imagery layers (影像): the bureau's orthophotos by period, registered by an administrator and
 * served as Web Mercator tiles. See server/src/modules/imagery/.
 */
import { z } from 'zod';
import { idParam } from './common.ts';

export const IMAGERY_ACCESS = ['public', 'restricted'] as const;
export type ImageryAccess = (typeof IMAGERY_ACCESS)[number];

export const IMAGERY_TILE_FORMATS = ['png', 'jpg', 'webp'] as const;

export const ImageryLayer = z.object({
  id: z.number().int(),
  name: z.string(),
  nameEn: z.string(),
  periodLabel: z.string(),
  /** YYYY-MM-DD. */
  periodDate: z.string(),
  access: z.enum(IMAGERY_ACCESS),
  epsg: z.number().int(),
  crsName: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  bands: z.number().int(),
  levels: z.number().int(),
  pixelSizeM: z.number(),
  /** [west, south, east, north], lon/lat. */
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
  /** Tile URL template for MapLibre, e.g. /api/imagery/3/tiles/{z}/{x}/{y}.png?v=…. */
  tiles: z.string(),
  demo: z.boolean(),
  createdAt: z.string(),
  /** Administrators only: the file under IMAGERY_DIR and how it came. */
  fileName: z.string().optional(),
  filePath: z.string().optional(),
  source: z.enum(['upload', 'path', 'demo']).optional(),
  fileBytes: z.number().optional(),
});
export type ImageryLayer = z.infer<typeof ImageryLayer>;

export const ImageryList = z.object({ layers: z.array(ImageryLayer) });
export type ImageryList = z.infer<typeof ImageryList>;

const nameField = (zh: string) => z.string().trim().min(1, { message: `请填写${zh}` }).max(100, { message: `${zh}最多 100 个字` });

/** What an administrator gives about an image (as query parameters of an upload, or in a path registration's body). */
export const ImageryMeta = z.object({
  name: nameField('影像名称'),
  nameEn: nameField('英文名称'),
  periodLabel: nameField('期次'),
  periodDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: '期次日期格式应为 YYYY-MM-DD' }),
  access: z.enum(IMAGERY_ACCESS, { message: '访问权限只能是 public（公开）或 restricted（仅内部人员）' }),
});
export type ImageryMeta = z.infer<typeof ImageryMeta>;

export const ImageryFromPath = ImageryMeta.extend({
  /** A file under the server's IMAGERY_DIR, relative to it. */
  path: z.string().trim().min(1, { message: '请填写服务器上的文件路径' }).max(1000),
});

export const ImageryPatch = ImageryMeta.partial();

export const ImageryParams = z.object({ id: idParam('id（影像 ID）') });
