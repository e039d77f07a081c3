/**
 * A signed-in account's own things (我的): saved stock-land searches with the parcels new since
 * the last visit, and the site checks it filed.
 */
import { z } from 'zod';
import { AreaUnits } from './site-check.ts';
import { StockParcelSummary } from './stock.ts';
import { idParam, INT4_MAX } from './common.ts';

/** Saved searches an account may keep. */
export const MAX_SAVED_SEARCHES = 50;
/** New parcels listed at most (the count is always whole). */
export const MAX_NEW_LISTED = 200;

/** A search as the /stock page writes it in its address: parameter → value (page and pageSize are not kept). */
export const SavedSearchParams = z
  .record(z.string().max(40), z.string().max(400))
  .refine((q) => Object.keys(q).length <= 30, '检索条件过多');

export const SavedSearchRequest = z.object({
  name: z.string({ message: '名称不能为空' }).trim().min(1, '名称不能为空').max(60, '名称最多 60 个字符'),
  query: SavedSearchParams,
});

export const SavedSearchRename = z.object({
  name: z.string({ message: '名称不能为空' }).trim().min(1, '名称不能为空').max(60, '名称最多 60 个字符'),
});

export const SavedSearchParamsId = z.object({ id: idParam('已保存检索编号') });

export const SavedSearch = z
  .object({
    id: z.number().int(),
    name: z.string(),
    query: z.record(z.string(), z.string()),
    createdAt: z.string(),
    lastVisitedAt: z.string(),
    /** Parcels matching now. */
    total: z.number().int(),
    /** Matching now but not at the last visit: added since, or changed to match. */
    newCount: z.number().int(),
  })
  .meta({ id: 'SavedSearch' });
export type SavedSearch = z.infer<typeof SavedSearch>;

export const SavedSearchList = z.object({ searches: z.array(SavedSearch) }).meta({ id: 'SavedSearchList' });

export const SavedSearchNew = z
  .object({
    search: SavedSearch,
    /** The new parcels in the search's order, at most 200. */
    items: z.array(StockParcelSummary),
  })
  .meta({ id: 'SavedSearchNew' });

export const MySiteChecksQuery = z.object({
  page: z.coerce.number({ message: '页码须为整数' }).int('页码须为整数').min(1, '页码至少为 1').max(INT4_MAX, `页码最大为 ${INT4_MAX}`).default(1),
  pageSize: z.coerce.number({ message: '每页条数须为整数' }).int('每页条数须为整数').min(1, '每页条数至少为 1').max(100, '每页条数最多为 100').default(20),
});

export const MySiteCheck = z.object({
  id: z.string(),
  createdAt: z.string(),
  name: z.string().nullable(),
  plannedUse: z.string().nullable(),
  area: AreaUnits,
  /** Rules in conflict (不可行) and needing action (需办理), from the filed verdicts. */
  conflicts: z.number().int(),
  warnings: z.number().int(),
});
export const MySiteChecks = z.object({ total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), items: z.array(MySiteCheck) }).meta({ id: 'MySiteChecks' });
