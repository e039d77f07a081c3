/**
 * The administrators' control-layer management (图层数据管理): versions of each importable
 * layer, imports as jobs with progress (check → confirm → replace), and restoring an earlier
 * version. See server/src/modules/layer-admin/.
 */
import { z } from 'zod';
import { IMPORTABLE_LAYER_IDS, type ImportableLayerId } from '../layers.ts';
import { idParam, jobProgressFields } from './common.ts';
import { AcceptApproximateDatum, TEXT_ENCODINGS } from './geometry.ts';
import { AreaUnits } from './site-check.ts';

/** Layers an administrator may replace by import: those with `import` in the registry. */
export const IMPORTABLE_LAYERS = IMPORTABLE_LAYER_IDS;
export type ImportableLayer = ImportableLayerId;

export const LayerParams = z.object({
  layer: z.enum(IMPORTABLE_LAYERS, { message: `图层只能是：${IMPORTABLE_LAYERS.join('、')}` }),
});

export const LayerVersionParams = LayerParams.extend({
  versionNo: idParam('版本号'),
});

export const LayerVersion = z
  .object({
    versionNo: z.number().int(),
    state: z.enum(['active', 'archived']),
    createdAt: z.string(),
    createdBy: z.string().nullable(),
    fileName: z.string().nullable(),
    format: z.string().nullable(),
    crs: z.string().nullable(),
    featureCount: z.number().int(),
    area: AreaUnits,
    /** [west, south, east, north], EPSG:4490. */
    bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
    note: z.string().nullable(),
    /** The note in English when the server wrote it (version 1: the data before the first import); null for an administrator's own note. */
    noteEn: z.string().nullable(),
    activatedAt: z.string(),
  })
  .meta({ id: 'LayerVersion' });
export type LayerVersion = z.infer<typeof LayerVersion>;

export const ManagedLayer = z.object({
  layer: z.enum(IMPORTABLE_LAYERS),
  nameZh: z.string(),
  nameEn: z.string(),
  /** The served version (version 1 is the data the layer held before its first import). */
  active: LayerVersion,
  versions: z.array(LayerVersion),
  /** Data version of the layer's table (tiles and caches key on it). */
  dataVersion: z.number().int(),
});
export type ManagedLayer = z.infer<typeof ManagedLayer>;
export const ManagedLayerList = z.object({ layers: z.array(ManagedLayer) }).meta({ id: 'ManagedLayerList' });

/** Query of `POST /api/admin/layers/{layer}/imports` (multipart `file`): how to read the file. */
export const LayerImportQuery = z.object({
  crs: z.string().max(40).optional(),
  zone: z.coerce.number({ message: '带号须为整数' }).int('带号须为整数').min(13, '带号须在 13–45 之间').max(45, '带号须在 13–45 之间').optional(),
  zoneWidth: z.coerce.number({ message: '分带宽度须为 3 或 6' }).pipe(z.union([z.literal(3), z.literal(6)], { message: '分带宽度须为 3 或 6' })).optional(),
  axisOrder: z.enum(['xy', 'yx'], { message: '坐标轴顺序须为 xy 或 yx' }).optional(),
  encoding: z.enum(TEXT_ENCODINGS, { message: '文字编码须为 utf-8、gbk、gb18030 或 big5' }).optional(),
  acceptApproximateDatum: AcceptApproximateDatum,
  /** Repair invalid polygons (ST_MakeValid) instead of leaving them out. */
  repair: z
    .enum(['true', 'false'], { message: '自动修复须为 true 或 false' })
    .transform((v) => v === 'true')
    .default(false),
});
export type LayerImportQuery = z.infer<typeof LayerImportQuery>;

export const LAYER_JOB_PHASES = ['reading', 'checking', 'ready', 'replacing', 'refreshing', 'done', 'failed', 'cancelled'] as const;
export type LayerJobPhase = (typeof LAYER_JOB_PHASES)[number];

export const LayerFeatureProblem = z.object({
  /** 1-based position of the feature in the file. */
  row: z.number().int(),
  code: z.string().nullable(),
  /** excluded: left out of the new version; repaired: included after ST_MakeValid. */
  outcome: z.enum(['excluded', 'repaired']),
  reasons: z.array(z.object({ code: z.string(), zh: z.string(), en: z.string() })),
});

/** What the check found: shown to the administrator before they confirm. */
export const LayerImportSummary = z.object({
  layer: z.enum(IMPORTABLE_LAYERS),
  fileName: z.string(),
  detected: z.object({ format: z.string(), crs: z.string(), encoding: z.string().nullable() }),
  warnings: z.array(z.object({ code: z.string(), zh: z.string(), en: z.string() })),
  /** Features in the file. */
  rows: z.number().int(),
  /** Features the new version will hold. */
  featureCount: z.number().int(),
  area: AreaUnits,
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
  /** Attribute columns read from the file, e.g. { code: 'BSM', land_class_name: 'DLMC' }. */
  fields: z.record(z.string(), z.string()),
  /** The file's fields that fill no column: their values are not kept. */
  unmappedFields: z.array(z.string()),
  /** Features left out or repaired, with reasons (at most the first 2 000). */
  problems: z.array(LayerFeatureProblem),
  /** How many features were left out or repaired in all. */
  problemCount: z.number().int(),
  /** The version it would replace. */
  replaces: z.object({ versionNo: z.number().int(), featureCount: z.number().int(), area: AreaUnits }),
});
export type LayerImportSummary = z.infer<typeof LayerImportSummary>;

/** An import or restore job: poll `GET /api/admin/layer-jobs/{jobId}`. */
/**
 * `progress` is over the current step: the check (reading, checking → ready = 1), then the
 * replacement (replacing, refreshing → done = 1).
 */
export const LayerJob = z
  .object({
    ...jobProgressFields,
    kind: z.enum(['import', 'restore']),
    layer: z.enum(IMPORTABLE_LAYERS),
    phase: z.enum(LAYER_JOB_PHASES),
    /** After the check (phase ready and later) for an import. */
    summary: LayerImportSummary.nullable(),
    /** The version made active, once done. */
    versionNo: z.number().int().nullable(),
  })
  .meta({ id: 'LayerJob' });
export type LayerJob = z.infer<typeof LayerJob>;

export const LayerJobParams = z.object({ jobId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, '任务号格式不正确') });

export const LayerCommitRequest = z.object({ note: z.string().trim().max(200, '说明最多 200 个字符').optional() });
