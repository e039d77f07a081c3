/**
 * The bureau's yearly figures per county (年度指标): the stock revitalisation rate
 * (core/revitalisation.ts) and the farmland share of new construction land (core/farmland-share.ts).
 */
import { z } from 'zod';
import { yearQueryParam } from './common.ts';
import { AreaUnits } from './site-check.ts';

export const FiguresYearQuery = z.object({
  year: yearQueryParam('年度；默认今年（北京时间）'),
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

export const FarmlandShareRow = z.object({
  countyCode: z.string(),
  countyName: z.string(),
  countyNameEn: z.string(),
  /** Site checks approved during the year (by approval date) whose site lies mostly in the county. */
  approvedCount: z.number().int(),
  /** Their sites' area: the year's new construction land. */
  newLand: AreaUnits,
  /** The farmland they take (耕地): permanent basic farmland and general farmland, as each check measured them. */
  farmland: AreaUnits,
  permanentFarmland: AreaUnits,
  generalFarmland: AreaUnits,
  /** farmland ÷ new land as a percentage at two decimals; null without approved land. */
  sharePct: z.number().nullable(),
  /** Against the provincial average at two decimals; null without approved land. */
  standing: z.enum(['below', 'equal', 'above']).nullable(),
  /** Next year's quota: +200 亩 below the average, −100 亩 above it, 0 at it or without a figure; for the city, the counties' sum. */
  quotaMu: z.number(),
});
export type FarmlandShareRow = z.infer<typeof FarmlandShareRow>;

/** One approved check counted in the year. */
export const FarmlandShareApproval = z.object({
  checkId: z.string(),
  /** The project's name as filed (data); null when none. */
  name: z.string().nullable(),
  approvalNo: z.string(),
  approvedOn: z.string(),
  countyCode: z.string(),
  newLand: AreaUnits,
  farmland: AreaUnits,
});

export const FarmlandShareResponse = z
  .object({
    year: z.number().int(),
    /** The provincial average share, % (the server's FARMLAND_SHARE_PROVINCIAL_PCT). */
    averagePct: z.number(),
    rewardMu: z.number(),
    penaltyMu: z.number(),
    rule: z.object({ zh: z.string(), en: z.string(), sourceZh: z.string(), sourceEn: z.string() }),
    counties: z.array(FarmlandShareRow),
    /** The city: the counties summed (countyCode '' ); its quotaMu is the counties' net. */
    total: FarmlandShareRow,
    /** The approved checks counted, by approval date. */
    approvals: z.array(FarmlandShareApproval),
    dataVersion: z.string(),
  })
  .meta({ id: 'FarmlandShareResponse' });
export type FarmlandShareResponse = z.infer<typeof FarmlandShareResponse>;
