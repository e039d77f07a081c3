/**
 * The bureau's yearly figures per county (年度指标): the stock revitalisation rate
 * (core/revitalisation.ts).
 */
import { z } from 'zod';
import { AreaUnits } from './site-check.ts';

export const FiguresYearQuery = z.object({
  year: z.coerce
    .number({ message: '年度须为整数' })
    .int('年度须为整数')
    .min(2000, '年度须在 2000–2100 之间')
    .max(2100, '年度须在 2000–2100 之间')
    .optional()
    .meta({ description: '年度；默认今年（北京时间）', example: 2026 }),
});
export type FiguresYearQuery = z.infer<typeof FiguresYearQuery>;

export const RevitalisationRow = z.object({
  countyCode: z.string(),
  countyName: z.string(),
  countyNameEn: z.string(),
  /** Parcels and area of stock on 1 January: approved-not-supplied land available or reserved, idle or inefficient land not yet revitalised. */
  startCount: z.number().int(),
  start: AreaUnits,
  /** Of that stock, the parcels with a revitalising event during the year (each once), and their area. */
  revitalisedCount: z.number().int(),
  revitalised: AreaUnits,
  /** The revitalised area by the first revitalising event of each parcel in the year. */
  byKind: z.object({ supply: AreaUnits, dispose: AreaUnits, redevelop: AreaUnits }),
  ratePct: z.number().nullable(),
  met: z.boolean().nullable(),
  shortfallMu: z.number(),
});
export type RevitalisationRow = z.infer<typeof RevitalisationRow>;

export const RevitalisationResponse = z
  .object({
    year: z.number().int(),
    targetPct: z.number(),
    rule: z.object({ zh: z.string(), en: z.string(), sourceZh: z.string(), sourceEn: z.string() }),
    counties: z.array(RevitalisationRow),
    /** The city: the counties summed (countyCode '' ). */
    total: RevitalisationRow,
    dataVersion: z.string(),
  })
  .meta({ id: 'RevitalisationResponse' });
export type RevitalisationResponse = z.infer<typeof RevitalisationResponse>;
