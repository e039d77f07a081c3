/**
 * Stock first, new land second (存量优先、增量补充): every site check first matches the
 * project's use and area against the stock-land library (core/stock-match.ts), and a project
 * that goes on to new land says why. The reasons a planner may give, their words, and the
 * record a filed report keeps of what the match found.
 *
 * @example
 *   newLandReason('other', '  需临近铁路专用线 ')
 *   // → { code: 'other', labelZh: '其他', labelEn: 'Other', note: '需临近铁路专用线' }
 */
import { PLANNED_USES, type MatchTally, type PlannedUse } from './stock-match.ts';
import { roundTo } from './units.ts';

/** Why a project goes on to new land although the stock-land library was checked first. */
export const NEW_LAND_REASON_CODES = ['none-found', 'area', 'use', 'location', 'other'] as const;
export type NewLandReasonCode = (typeof NEW_LAND_REASON_CODES)[number];

export const NEW_LAND_REASONS: Record<NewLandReasonCode, { zh: string; en: string }> = {
  'none-found': { zh: '未找到可用的存量地块', en: 'No usable stock parcel found' },
  area: { zh: '面积不符', en: 'The area does not fit' },
  use: { zh: '用途不符', en: 'The use does not fit' },
  location: { zh: '区位不符', en: 'The location does not fit' },
  other: { zh: '其他', en: 'Other' },
};

/** The longest note a planner may add to the reason. */
export const NEW_LAND_NOTE_MAX = 500;

/** How many of the match's candidates a site check shows and files. */
export const STOCK_FIRST_CANDIDATES = 5;

/**
 * How far from the site the stock-first step looks for stock land, km, unless the server is
 * configured otherwise (STOCK_FIRST_RADIUS_KM; docs/domain.md, The site-check rules): a parcel
 * farther away is no offer for this site — it neither blocks "none found" nor is listed — and the
 * distance part of an offer's score falls to 0 at this radius.
 */
export const DEFAULT_STOCK_FIRST_RADIUS_KM = 10;

/** "10 公里" / "10 km": a search radius as the panel and the reasons print it. */
export const radiusText = (km: number, lang: 'zh' | 'en'): string => {
  const n = String(roundTo(km, 1));
  return lang === 'zh' ? `${n} 公里` : `${n} km`;
};

/**
 * A candidate's distance from the site as panels and reports print it.
 *
 * @example distanceText(850) // '850 m'; distanceText(1234) // '1.2 km'
 */
export const distanceText = (m: number): string => (m < 1000 ? `${Math.round(m)} m` : `${roundTo(m / 1000, 1).toFixed(1)} km`);

/** The reason as a report keeps it: code, both labels, and the note (trimmed; null when none). */
export function newLandReason(code: NewLandReasonCode, note?: string | null) {
  const text = note?.trim() ?? '';
  return { code, labelZh: NEW_LAND_REASONS[code].zh, labelEn: NEW_LAND_REASONS[code].en, note: text === '' ? null : text };
}

/** Whether a reason needs a note: "other" says nothing by itself. */
export const reasonNeedsNote = (code: NewLandReasonCode): boolean => code === 'other';

/** Options the match offered: single parcels and combinations together (not just the ones listed). */
export const offersFound = (tally: MatchTally): number => tally.singles + tally.combinations;

/**
 * Whether a reason can stand against what the match found: "none found" cannot when it found
 * something. Returns the refusal in both languages, or null when the reason stands.
 */
export function reasonConflict(code: NewLandReasonCode, tally: MatchTally, radiusKm?: number | null): { zh: string; en: string } | null {
  const n = offersFound(tally);
  if (code !== 'none-found' || n === 0) return null;
  const within = radiusKm ? { zh: `选址 ${radiusText(radiusKm, 'zh')}内`, en: ` within ${radiusText(radiusKm, 'en')} of the site` } : { zh: '', en: '' };
  return {
    zh:
      `存量土地图库中${within.zh}有 ${n} 个符合条件的存量用地方案（单宗地块 ${tally.singles} 个、组合供应 ${tally.combinations} 个），` +
      `不能以“${NEW_LAND_REASONS['none-found'].zh}”为由继续新增用地；请比选这些方案，或选择其他理由并说明。`,
    en:
      `The stock-land library offers ${n} fitting option${n === 1 ? '' : 's'}${within.en} (${tally.singles} single, ${tally.combinations} combined), ` +
      `so "${NEW_LAND_REASONS['none-found'].en}" cannot be the reason for new land; compare them, or give another reason and explain it.`,
  };
}

/**
 * The planned use a free-text use names, e.g. "工业用地" (a 界址点 file's header) → 工业;
 * undefined when it names none.
 */
export function plannedUseOf(text: string | null | undefined): PlannedUse | undefined {
  const t = (text ?? '').trim();
  if (!t) return undefined;
  return PLANNED_USES.find((u) => t === u) ?? PLANNED_USES.find((u) => t.startsWith(u));
}
