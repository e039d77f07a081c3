/**
 * Enterprise land requests (企业找地, docs/domain.md "Enterprise land requests"): what an
 * enterprise files, what it sees (its matches, the new ones flagged, the bureau's proposals),
 * and what bureau staff see and do (every request with its contact, proposing a parcel).
 */
import { z } from 'zod';
import { INT4_MAX } from './common.ts';
import { isoDay, words } from './ledger.ts';
import { AreaUnits } from './site-check.ts';
import { MatchCandidate, PLANNED_USES, StockParcelSummary } from './stock.ts';

export const LAND_REQUEST_STATUSES = ['open', 'matched', 'withdrawn'] as const;
export type LandRequestStatus = (typeof LAND_REQUEST_STATUSES)[number];
export const LAND_REQUEST_STATUS_LABEL: Record<LandRequestStatus, { zh: string; en: string }> = {
  open: { zh: '对接中', en: 'Open' },
  matched: { zh: '已对接', en: 'Matched' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
};
/** A request's matches listed at most (singles and combinations, best first). */
export const LAND_REQUEST_MATCHES = 10;

const optionalNumber = (field: string, max: number) =>
  z.number({ message: `${field}须为数字` }).min(0, `${field}不能为负`).max(max, `${field}最多 ${max}`).optional();

export const LandRequestInput = z
  .object({
    company: words('企业名称', 200),
    use: z.enum(PLANNED_USES, { message: `用地用途只能是：${PLANNED_USES.join('、')}` }),
    areaMinMu: z.number({ message: '最小面积（亩）须为数字' }).positive('最小面积（亩）须大于 0').max(150_000, '最小面积（亩）最多 150000 亩'),
    areaMaxMu: z.number({ message: '最大面积（亩）须为数字' }).positive('最大面积（亩）须大于 0').max(150_000, '最大面积（亩）最多 150000 亩'),
    county: z.string().regex(/^\d{6}$/, '县区须为 6 位行政区划代码').optional(),
    /** [lon, lat] (EPSG:4490), with radiusKm: land within that distance of the point. */
    near: z
      .tuple([z.number({ message: '经度须为数字' }).min(-180, '经度须在 −180…180 之间').max(180, '经度须在 −180…180 之间'), z.number({ message: '纬度须为数字' }).min(-90, '纬度须在 −90…90 之间').max(90, '纬度须在 −90…90 之间')], {
        message: '位置须为 [经度, 纬度]',
      })
      .optional(),
    radiusKm: z.number({ message: '半径（千米）须为数字' }).positive('半径（千米）须大于 0').max(200, '半径（千米）最多 200').optional(),
    plotRatioMin: optionalNumber('最小容积率', 20),
    plotRatioMax: optionalNumber('最大容积率', 20),
    /** 总预算, 万元: the parcel's reference price × area must not exceed it. */
    budgetWan: optionalNumber('预算（万元）', 10_000_000),
    neededBy: isoDay('用地时间').optional(),
    contactName: words('联系人', 50),
    contactPhone: z
      .string({ message: '联系电话须为文字' })
      .trim()
      .regex(/^[0-9+\-() ]{5,30}$/, '联系电话须为 5–30 位数字（可含 + - 括号和空格）'),
    note: z.string().trim().max(500, '说明最多 500 个字符').optional(),
  })
  .refine((r) => r.areaMinMu <= r.areaMaxMu, { message: '最小面积不能大于最大面积', path: ['areaMinMu'], params: { en: 'The minimum area may not exceed the maximum' } })
  .refine((r) => r.plotRatioMin === undefined || r.plotRatioMax === undefined || r.plotRatioMin <= r.plotRatioMax, {
    message: '最小容积率不能大于最大容积率',
    path: ['plotRatioMin'],
    params: { en: 'The minimum plot ratio may not exceed the maximum' },
  })
  .refine((r) => (r.near === undefined) === (r.radiusKm === undefined), {
    message: '按位置找地须同时给出位置和半径',
    path: ['radiusKm'],
    params: { en: 'A location and a radius go together' },
  })
  .meta({ id: 'LandRequestInput' });
export type LandRequestInput = z.infer<typeof LandRequestInput>;

export const LandRequestParams = z.object({
  id: z.coerce.number({ message: '需求编号须为整数' }).int('需求编号须为整数').min(1, '需求编号须为正整数').max(INT4_MAX, `需求编号最大为 ${INT4_MAX}`),
});
export const ProposalParams = LandRequestParams.extend({
  proposalId: z.coerce.number({ message: '提议编号须为整数' }).int('提议编号须为整数').min(1, '提议编号须为正整数').max(INT4_MAX, `提议编号最大为 ${INT4_MAX}`),
});

export const LandRequestListQuery = z.object({
  /** Defaults to open; "all" for every status. */
  status: z.enum([...LAND_REQUEST_STATUSES, 'all'], { message: `状态只能是：all、${LAND_REQUEST_STATUSES.join('、')}` }).default('open'),
  page: z.coerce.number({ message: '页码须为整数' }).int('页码须为整数').min(1, '页码至少为 1').max(INT4_MAX, `页码最大为 ${INT4_MAX}`).default(1),
  pageSize: z.coerce.number({ message: '每页条数须为整数' }).int('每页条数须为整数').min(1, '每页条数至少为 1').max(100, '每页条数最多为 100').default(20),
});

export const ProposalRequest = z
  .object({
    parcelCode: z.string({ message: '地块编号须为文字' }).trim().min(1, '地块编号不能为空').max(64, '地块编号最多 64 个字符'),
    note: z.string().trim().max(500, '说明最多 500 个字符').optional(),
  })
  .meta({ id: 'ProposalRequest' });
export const DeclineRequest = z.object({ reason: words('不接受的理由', 500) }).meta({ id: 'DeclineRequest' });
export const WithdrawRequest = z.object({ reason: z.string().trim().max(500, '撤回理由最多 500 个字符').optional() }).meta({ id: 'WithdrawRequest' });

/** The need as filed (the enterprise's and the staff's view; the contact for the owner and staff only). */
export const LandRequestNeed = z.object({
  company: z.string(),
  use: z.enum(PLANNED_USES),
  areaMinMu: z.number(),
  areaMaxMu: z.number(),
  county: z.string().nullable(),
  countyName: z.string().nullable(),
  countyNameEn: z.string().nullable(),
  near: z.tuple([z.number(), z.number()]).nullable(),
  radiusKm: z.number().nullable(),
  plotRatioMin: z.number().nullable(),
  plotRatioMax: z.number().nullable(),
  budgetWan: z.number().nullable(),
  neededBy: z.string().nullable(),
  contactName: z.string(),
  contactPhone: z.string(),
  note: z.string().nullable(),
});

export const Proposal = z.object({
  id: z.number().int(),
  parcelCode: z.string(),
  /** The parcel as the public sees it now (null if it has left the library, e.g. retired by a split). */
  parcel: StockParcelSummary.nullable(),
  note: z.string().nullable(),
  createdAt: z.string(),
  /** Who proposed it: staff only (the enterprise sees the bureau's contact department on the parcel). */
  proposerName: z.string().nullable(),
  decision: z.enum(['accepted', 'declined']).nullable(),
  decidedAt: z.string().nullable(),
  declineReason: z.string().nullable(),
});
export type Proposal = z.infer<typeof Proposal>;

/** A match for a request: the matcher's candidate, flagged new when a parcel of it was not among the matches the enterprise last saw. */
export const RequestMatch = MatchCandidate.extend({ isNew: z.boolean(), totalPriceWan: z.number().nullable() });
export type RequestMatch = z.infer<typeof RequestMatch>;

export const LandRequestSummary = z.object({
  id: z.number().int(),
  status: z.enum(LAND_REQUEST_STATUSES),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  closedReason: z.string().nullable(),
  need: LandRequestNeed,
  /** Matches now, and how many of them are new since the enterprise last looked. */
  matchCount: z.number().int(),
  newCount: z.number().int(),
  /** The best match's parcels and score (null when nothing matches). */
  best: z.object({ codes: z.array(z.string()), score: z.number(), totalArea: AreaUnits }).nullable(),
  pendingProposals: z.number().int(),
  /** The parcel reserved for it (已意向) once a proposal was accepted. */
  acceptedParcel: z.string().nullable(),
});
export type LandRequestSummary = z.infer<typeof LandRequestSummary>;

export const LandRequestList = z
  .object({ total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), items: z.array(LandRequestSummary) })
  .meta({ id: 'LandRequestList' });
export type LandRequestList = z.infer<typeof LandRequestList>;

export const LandRequestDetail = LandRequestSummary.extend({
  /** Whether the caller is bureau staff (planners and above: may propose) or the enterprise that filed it. */
  staff: z.boolean(),
  seenAt: z.string(),
  matches: z.array(RequestMatch),
  proposals: z.array(Proposal),
  dataVersion: z.string(),
}).meta({ id: 'LandRequestDetail' });
export type LandRequestDetail = z.infer<typeof LandRequestDetail>;
