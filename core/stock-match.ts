/**
 * Stock-land matching (存量土地套核): which available stock parcels — alone or two or three
 * adjacent ones together (宗地组合供应) — could serve a project's use and area, and why each
 * ranks where it does. Pure and isomorphic: the server runs it over its parcel index, the
 * client prints the same words.
 *
 * Score = Σ weight × part, 0–100, over four parts (each 0–1):
 * - 面积匹配 area fit: offered ÷ needed area r. Below 0.9 the parcel is too small and not
 *   proposed alone; 0.9–1 scores 0.6–1; 1–1.2 scores 1; above 1.2 falls linearly to 0 at 3
 *   (a parcel more than three times the need wastes land, 节约集约用地, and is not proposed).
 * - 用途兼容 use compatibility: same use 1, compatible use 0.7 (USE_COMPATIBILITY); others
 *   are not proposed.
 * - 区位 distance to the site or point: 1 at 0 m falling linearly to 0 at the search radius
 *   (maxDistanceKm, or DEFAULT_DISTANCE_SCALE_KM when none is set). Without a location this
 *   part is left out and the other weights are scaled up to 100.
 * - 供应条件 availability: how soon the parcel can be supplied, from its 四未 stage
 *   (AVAILABILITY). Only parcels whose status is 可供应 are proposed at all.
 *
 * A combination scores as one parcel of the total area with its weakest part's use and
 * availability and its nearest part's distance, times 0.95 for each parcel beyond the first
 * (the cost of assembling several lots).
 *
 * @example
 *   scoreParts({ use: '工业', areaM2: 20_000 }, { uses: ['工业'], areaM2: 21_000, stage: '征而未供', distanceM: 500 }, 5)
 *   // → areaFit 1, useCompatibility 1, distance 0.9, availability 1 → 97.0
 */
import { M2_PER_MU, roundTo, formatArea } from './units.ts';
import { TopK } from './top-k.ts';
import { PLANNED_USE_EN } from './vocabulary.ts';

export const PLANNED_USES = ['工业', '仓储', '商业', '商务', '住宅', '公共管理与公共服务'] as const;
export type PlannedUse = (typeof PLANNED_USES)[number];

/** The uses' English inside a sentence (core/vocabulary.ts has them as labels). */
export const USE_NAMES_EN = Object.fromEntries(
  Object.entries(PLANNED_USE_EN).map(([k, v]) => [k, v.charAt(0).toLowerCase() + v.slice(1)]),
) as Record<PlannedUse, string>;

/**
 * 用途兼容表: for a project's use, the parcel uses that can host it besides its own.
 * 工业 ↔ 仓储 (industrial land routinely carries storage and vice versa, 工业仓储用地);
 * 商业 ↔ 商务 (commercial and business offices, 商服用地); 住宅 and 公共管理与公共服务
 * only with themselves (residential land carries its own planning conditions; public-service
 * land is allocated, not sold).
 */
export const USE_COMPATIBILITY: Record<PlannedUse, readonly PlannedUse[]> = {
  工业: ['仓储'],
  仓储: ['工业'],
  商业: ['商务'],
  商务: ['商业'],
  住宅: [],
  公共管理与公共服务: [],
};

export type UseFit = 'same' | 'compatible' | 'incompatible';

export function useFit(need: PlannedUse, parcelUse: string): UseFit {
  if (parcelUse === need) return 'same';
  return (USE_COMPATIBILITY[need] as readonly string[]).includes(parcelUse) ? 'compatible' : 'incompatible';
}

/** The parcel uses a project of `need` may take, its own first. */
export function usesFor(need: PlannedUse): PlannedUse[] {
  return [need, ...USE_COMPATIBILITY[need]];
}

export const USE_FIT_LABEL: Record<UseFit, { zh: string; en: string }> = {
  same: { zh: '用途一致', en: 'same use' },
  compatible: { zh: '用途兼容', en: 'compatible use' },
  incompatible: { zh: '用途不兼容', en: 'incompatible use' },
};

/**
 * 供应条件: how ready a 可供应 parcel is, by its 四未 stage.
 * 征而未供 acquired, can be supplied now; 批而未征 approved, acquisition still to finish;
 * 供而未用 idle land, to be taken back or disposed of first; 用而未尽 under-used land,
 * to be redeveloped with its holder.
 */
export const AVAILABILITY: Record<string, { score: number; zh: string; en: string }> = {
  征而未供: { score: 1, zh: '已征收，可直接供应', en: 'acquired, can be supplied now' },
  批而未征: { score: 0.7, zh: '已批准，尚需完成征收', en: 'approved, acquisition to finish' },
  供而未用: { score: 0.6, zh: '闲置土地，需依法处置后供应', en: 'idle land, to be disposed of first' },
  用而未尽: { score: 0.5, zh: '低效用地，需盘活再开发', en: 'under-used land, to be redeveloped' },
};
const UNKNOWN_AVAILABILITY = { score: 0.5, zh: '供应条件未注明', en: 'supply readiness not recorded' };

export const WEIGHTS = { areaFit: 40, useCompatibility: 30, distance: 20, availability: 10 } as const;
export type ScorePartKey = keyof typeof WEIGHTS;
export const SCORE_PART_LABEL: Record<ScorePartKey, { zh: string; en: string }> = {
  areaFit: { zh: '面积匹配', en: 'Area fit' },
  useCompatibility: { zh: '用途兼容', en: 'Use compatibility' },
  distance: { zh: '区位', en: 'Distance' },
  availability: { zh: '供应条件', en: 'Availability' },
};

/** Offered ÷ needed area below which a parcel (or set) is too small. */
export const MIN_AREA_RATIO = 0.9;
/** Offered ÷ needed area above which a parcel is too large to propose. */
export const MAX_AREA_RATIO = 3;
/** Distance at which the distance part reaches 0 when no radius is set. */
export const DEFAULT_DISTANCE_SCALE_KM = 20;
/** Parcels within this gap of each other count as adjacent for a combination (a road between them). */
export const COMBINATION_MAX_GAP_M = 30;
/** Score factor for each parcel of a combination beyond the first. */
export const COMBINATION_FACTOR = 0.95;

export function areaFitScore(ratio: number): number {
  if (ratio < MIN_AREA_RATIO || ratio > MAX_AREA_RATIO) return 0;
  if (ratio < 1) return 0.6 + (0.4 * (ratio - MIN_AREA_RATIO)) / (1 - MIN_AREA_RATIO);
  if (ratio <= 1.2) return 1;
  return 1 - (ratio - 1.2) / (MAX_AREA_RATIO - 1.2);
}

export function distanceScore(distanceM: number, scaleKm: number): number {
  return Math.max(0, 1 - distanceM / (scaleKm * 1000));
}

export interface ScorePart {
  key: ScorePartKey;
  weight: number;
  /** 0–1; null when the part does not apply (no location given). */
  value: number | null;
  /** weight × value, scaled so the applicable weights sum to 100. */
  points: number;
  detailZh: string;
  detailEn: string;
}

export interface MatchNeed {
  use: PlannedUse;
  areaM2: number;
}

export interface OfferFacts {
  /** Every part's use (one for a single parcel). */
  uses: string[];
  areaM2: number;
  /** Every part's 四未 stage. */
  stages: (string | null)[];
  /** Metres to the site or point (nearest part); null without a location. */
  distanceM: number | null;
  parcels: number;
}

const km = (m: number) => (m < 1000 ? `${Math.round(m)} m` : `${roundTo(m / 1000, 1)} km`);

function partValues(need: MatchNeed, offer: OfferFacts, distanceScaleKm: number) {
  let fit: UseFit = 'same';
  for (const u of offer.uses) {
    const f = useFit(need.use, u);
    if (f === 'incompatible' || (f === 'compatible' && fit === 'same')) fit = f;
  }
  let weakest = UNKNOWN_AVAILABILITY;
  offer.stages.forEach((s, i) => {
    const a = (s && AVAILABILITY[s]) || UNKNOWN_AVAILABILITY;
    if (i === 0 || a.score < weakest.score) weakest = a;
  });
  const values: Record<ScorePartKey, number | null> = {
    areaFit: areaFitScore(offer.areaM2 / need.areaM2),
    useCompatibility: fit === 'same' ? 1 : fit === 'compatible' ? 0.7 : 0,
    distance: offer.distanceM === null ? null : distanceScore(offer.distanceM, distanceScaleKm),
    availability: weakest.score,
  };
  const weightSum =
    WEIGHTS.areaFit + WEIGHTS.useCompatibility + WEIGHTS.availability + (values.distance === null ? 0 : WEIGHTS.distance);
  const factor = COMBINATION_FACTOR ** (offer.parcels - 1);
  return { values, fit, weakest, scale: 100 / weightSum, factor };
}

/** The total from the parts' values (0–1 each; distance null without a location). */
function scoreFrom(areaRatio: number, use: number, avail: number, distanceM: number | null, distanceScaleKm: number, parcels: number): number {
  let sum = WEIGHTS.areaFit * areaFitScore(areaRatio) + WEIGHTS.useCompatibility * use + WEIGHTS.availability * avail;
  let weights = WEIGHTS.areaFit + WEIGHTS.useCompatibility + WEIGHTS.availability;
  if (distanceM !== null) {
    sum += WEIGHTS.distance * distanceScore(distanceM, distanceScaleKm);
    weights += WEIGHTS.distance;
  }
  return Math.round(((sum * 100) / weights) * COMBINATION_FACTOR ** (parcels - 1) * 100) / 100;
}

const useValue = (need: PlannedUse, u: string) => (u === need ? 1 : (USE_COMPATIBILITY[need] as readonly string[]).includes(u) ? 0.7 : 0);
const availValue = (stage: string | null) => ((stage && AVAILABILITY[stage]) || UNKNOWN_AVAILABILITY).score;

/** An offer's total score, 0–100 (what scoreOffer reports, without the words). */
export function scoreValue(need: MatchNeed, offer: OfferFacts, distanceScaleKm: number): number {
  let use = 1;
  let avail = 1;
  for (let i = 0; i < offer.uses.length; i++) {
    use = Math.min(use, useValue(need.use, offer.uses[i]!));
    const a = availValue(offer.stages[i] ?? null);
    if (i === 0 || a < avail) avail = a;
  }
  return scoreFrom(offer.areaM2 / need.areaM2, use, avail, offer.distanceM, distanceScaleKm, offer.parcels);
}

/** The four parts of an offer's score, with what each is made of, and the total, 0–100. */
export function scoreOffer(need: MatchNeed, offer: OfferFacts, distanceScaleKm: number): { score: number; parts: ScorePart[] } {
  const { values, fit, weakest, scale, factor } = partValues(need, offer, distanceScaleKm);
  const pct = roundTo((offer.areaM2 / need.areaM2) * 100, 1);
  const uses = [...new Set(offer.uses)];
  const detail: Record<ScorePartKey, [string, string]> = {
    areaFit: [
      `提供 ${formatArea(offer.areaM2)}，为需求的 ${pct}%`,
      `offers ${formatArea(offer.areaM2, 'en')}, ${pct}% of the need`,
    ],
    useCompatibility: [
      `${USE_FIT_LABEL[fit].zh}（需求 ${need.use}，地块 ${uses.join('、')}）`,
      `${USE_FIT_LABEL[fit].en} (need ${USE_NAMES_EN[need.use]}, parcel ${uses.map((u) => USE_NAMES_EN[u as PlannedUse] ?? u).join(', ')})`,
    ],
    distance:
      offer.distanceM === null
        ? ['未指定位置，不计区位', 'no location given, distance not scored']
        : [`距选址 ${km(offer.distanceM)}`, `${km(offer.distanceM)} from the site`],
    availability: [weakest.zh, weakest.en],
  };
  const parts = (Object.keys(WEIGHTS) as ScorePartKey[]).map((key) => {
    const value = values[key];
    return {
      key,
      weight: WEIGHTS[key],
      value: value === null ? null : roundTo(value, 4),
      points: value === null ? 0 : roundTo(WEIGHTS[key] * scale * value * factor, 2),
      detailZh: detail[key][0],
      detailEn: detail[key][1],
    };
  });
  return { score: scoreValue(need, offer, distanceScaleKm), parts };
}

// ---- the search over an index of parcels -------------------------------------------------

/** What the matcher needs to know of one stock parcel. */
export interface IndexedParcel {
  id: number;
  countyCode: string;
  plannedUse: string;
  status: string;
  fourUnStage: string | null;
  areaM2: number;
  /** The urban development boundary polygon it lies in (most of it), or null outside. */
  urbanBoundaryId: number | null;
  /** Overlaps permanent farmland or the ecological red line. */
  conflict: boolean;
}

export interface MatchOptions {
  need: MatchNeed;
  county?: string;
  /** Metres from the site or point, per parcel id; absent without a location. */
  distanceOf?: (p: IndexedParcel) => number;
  maxDistanceKm?: number;
  /**
   * The areas an offer may total, m² (an enterprise's request gives its range); default from
   * MIN_AREA_RATIO to MAX_AREA_RATIO of the need's area.
   */
  areaRangeM2?: readonly [number, number];
  /** A further condition on each parcel (a request's plot ratio and budget); counted with the incompatible uses. */
  admit?: (p: IndexedParcel) => boolean;
  limit: number;
}

export interface MatchOffer {
  kind: 'single' | 'combination';
  parcelIds: number[];
  areaM2: number;
  distanceM: number | null;
  score: number;
  parts: ScorePart[];
}



export interface MatchTally {
  /** Parcels in the library (in the county, when one is set). */
  inScope: number;
  /** … of which 可供应. */
  available: number;
  /** … of which of a use the project may take. */
  compatibleUse: number;
  /** … left out for overlapping permanent farmland or the red line. */
  conflicting: number;
  /** … left out for lying beyond maxDistanceKm. */
  tooFar: number;
  /** Eligible parcels: available, compatible, no conflict, within reach. */
  eligible: number;
  singles: number;
  combinations: number;
}

export interface MatchResult {
  offers: MatchOffer[];
  tally: MatchTally;
}

/** matchParcels' arrays by parcel id, grown as needed and reused (matching is synchronous; byId is emptied after each call). */
const scratch = { byId: [] as (IndexedParcel | undefined)[], useOf: new Float64Array(0), availOf: new Float64Array(0), distOf: new Float64Array(0) };
function scratchFor(maxId: number) {
  if (scratch.useOf.length <= maxId) {
    const n = Math.max(maxId + 1, Math.ceil(scratch.useOf.length * 1.5));
    scratch.byId = new Array(n);
    scratch.useOf = new Float64Array(n);
    scratch.availOf = new Float64Array(n);
    scratch.distOf = new Float64Array(n);
  }
  return scratch;
}

/**
 * Ranks single parcels and combinations of two or three adjacent ones for a need.
 * `neighbours(id)` lists parcels within COMBINATION_MAX_GAP_M of a parcel, inside the same
 * urban development boundary polygon. A combination is offered only when each of its parts
 * is too small alone and no two of a three-parcel set already meet the need.
 */
export function matchParcels(
  parcels: readonly IndexedParcel[],
  neighbours: (id: number) => readonly number[],
  opts: MatchOptions,
): MatchResult {
  const { need } = opts;
  const tally: MatchTally = { inScope: 0, available: 0, compatibleUse: 0, conflicting: 0, tooFar: 0, eligible: 0, singles: 0, combinations: 0 };
  const scaleKm = opts.maxDistanceKm ?? DEFAULT_DISTANCE_SCALE_KM;
  const maxM = opts.maxDistanceKm === undefined ? Infinity : opts.maxDistanceKm * 1000;
  const uses = new Map<string, number>(usesFor(need.use).map((u) => [u, useValue(need.use, u)]));
  // eligible parcels by id, with their use and availability values and distance (arrays by id,
  // kept between calls: a library of a million parcels would otherwise zero tens of MB per match)
  let maxId = 0;
  for (const p of parcels) if (p.id > maxId) maxId = p.id;
  const { byId, useOf, availOf, distOf } = scratchFor(maxId);
  const lo = opts.areaRangeM2?.[0] ?? need.areaM2 * MIN_AREA_RATIO;
  const hi = opts.areaRangeM2?.[1] ?? need.areaM2 * MAX_AREA_RATIO;
  // the eligible parcels that can be offered: alone (an area within the range) or as a part (too small, in a boundary polygon)
  const kept: IndexedParcel[] = [];
  try {
    for (const p of parcels) {
      if (opts.county && p.countyCode !== opts.county) continue;
      tally.inScope++;
      if (p.status !== '可供应') continue;
      tally.available++;
      const use = uses.get(p.plannedUse);
      if (use === undefined || (opts.admit && !opts.admit(p))) continue;
      tally.compatibleUse++;
      if (p.conflict) {
        tally.conflicting++;
        continue;
      }
      if (opts.distanceOf) {
        const d = opts.distanceOf(p);
        if (d > maxM) {
          tally.tooFar++;
          continue;
        }
        distOf[p.id] = d;
      }
      tally.eligible++;
      if (p.areaM2 > hi || (p.areaM2 < lo && p.urbanBoundaryId === null)) continue;
      byId[p.id] = p;
      kept.push(p);
      useOf[p.id] = use;
      availOf[p.id] = availValue(p.fourUnStage);
    }
    const located = opts.distanceOf !== undefined;

    const ranked = new TopK<{ ids: number[]; score: number }>(opts.limit, (x, y) => y.score - x.score || x.ids.length - y.ids.length || x.ids[0]! - y.ids[0]!);
    /** Scores a set (ids ascending) and keeps it when it can rank; allocates only then. */
    const offer = (a: number, b: number, c: number, areaM2: number) => {
      const n = c >= 0 ? 3 : b >= 0 ? 2 : 1;
      let use = useOf[a]!;
      let avail = availOf[a]!;
      let d: number | null = located ? distOf[a]! : null;
      if (n >= 2) {
        use = Math.min(use, useOf[b]!);
        avail = Math.min(avail, availOf[b]!);
        if (d !== null) d = Math.min(d, distOf[b]!);
      }
      if (n === 3) {
        use = Math.min(use, useOf[c]!);
        avail = Math.min(avail, availOf[c]!);
        if (d !== null) d = Math.min(d, distOf[c]!);
      }
      const score = scoreFrom(areaM2 / need.areaM2, use, avail, d, scaleKm, n);
      const worst = ranked.last();
      if (worst && ranked.full() && score < worst.score) return;
      ranked.push({ ids: n === 1 ? [a] : n === 2 ? [a, b] : [a, b, c], score });
    };

    const small: IndexedParcel[] = [];
    for (const p of kept) {
      if (p.areaM2 >= lo && p.areaM2 <= hi) {
        offer(p.id, -1, -1, p.areaM2);
        tally.singles++;
      } else if (p.areaM2 < lo && p.urbanBoundaryId !== null) small.push(p);
    }

    // Combinations: parts each too small, in the same boundary polygon, connected by adjacency,
    // minimal (no pair of a triple meets the need). Each connected set is generated once, from
    // its smallest id a: b is a neighbour of a with a larger id, c a larger-id neighbour of a
    // (then c > b) or of b (then not also of a).
    const part = (id: number, boundary: number): IndexedParcel | undefined => {
      const p = byId[id];
      return p !== undefined && p.areaM2 < lo && p.urbanBoundaryId === boundary ? p : undefined;
    };
    const na: number[] = [];
    for (const a of small) {
      const boundary = a.urbanBoundaryId!;
      na.length = 0;
      for (const id of neighbours(a.id)) if (id > a.id && part(id, boundary)) na.push(id);
      for (const bId of na) {
        const b = byId[bId]!;
        const ab = a.areaM2 + b.areaM2;
        if (ab >= lo) {
          if (ab <= hi) {
            offer(a.id, bId, -1, ab);
            tally.combinations++;
          }
          continue;
        }
        for (let pass = 0; pass < 2; pass++) {
          for (const cId of pass === 0 ? na : neighbours(bId)) {
            if (pass === 0 ? cId <= bId : cId <= a.id || cId === bId || na.includes(cId)) continue;
            const c = pass === 0 ? byId[cId]! : part(cId, boundary);
            if (!c) continue;
            const total = ab + c.areaM2;
            if (total < lo || total > hi) continue;
            if (a.areaM2 + c.areaM2 >= lo || b.areaM2 + c.areaM2 >= lo) continue; // a pair already does
            if (bId < cId) offer(a.id, bId, cId, total);
            else offer(a.id, cId, bId, total);
            tally.combinations++;
          }
        }
      }
    }

    const offers = ranked.values().map((r): MatchOffer => {
      const items = r.ids.map((id) => byId[id]!);
      const ds = located ? r.ids.map((id) => distOf[id]!) : [];
      const facts: OfferFacts = {
        uses: items.map((p) => p.plannedUse),
        areaM2: items.reduce((sum, p) => sum + p.areaM2, 0),
        stages: items.map((p) => p.fourUnStage),
        distanceM: ds.length ? Math.min(...ds) : null,
        parcels: r.ids.length,
      };
      return { kind: r.ids.length === 1 ? 'single' : 'combination', parcelIds: r.ids, areaM2: facts.areaM2, distanceM: facts.distanceM, ...scoreOffer(need, facts, scaleKm) };
    });
    return { offers, tally };
  } finally {
    for (const p of kept) byId[p.id] = undefined;
  }
}

/**
 * "已套核存量土地图库：…" — one sentence on what a match found, for panels and reports; with a
 * search radius (km) it says how far the match looked.
 */
export function describeMatch(tally: MatchTally, lang: 'zh' | 'en' = 'zh', radiusKm?: number | null): string {
  const found = tally.singles + tally.combinations;
  const r = radiusKm ? String(Math.round(radiusKm * 10) / 10) : null;
  if (lang === 'en') {
    return (
      `Checked against the stock-land library: ${tally.inScope} parcels ${r ? 'in all' : 'in scope'}, ${tally.available} available, ` +
      `${tally.compatibleUse} of a compatible use, ${tally.conflicting} left out for overlapping permanent farmland or the red line` +
      (tally.tooFar ? `, ${tally.tooFar} ${r ? `farther than ${r} km from the site` : 'beyond the search radius'}` : '') +
      `; ${found ? `${tally.singles} single parcels and ${tally.combinations} combinations fit` : r ? `none fits within ${r} km` : 'none fits'}.`
    );
  }
  return (
    `已套核存量土地图库：${r ? '共' : '范围内'} ${tally.inScope} 宗，可供应 ${tally.available} 宗，用途兼容 ${tally.compatibleUse} 宗，` +
    `因占用永久基本农田或生态保护红线排除 ${tally.conflicting} 宗` +
    (tally.tooFar ? `，${r ? `距选址超过 ${r} 公里` : '超出距离范围'} ${tally.tooFar} 宗` : '') +
    `；${found ? `符合条件的单宗地块 ${tally.singles} 个、组合供应方案 ${tally.combinations} 个` : r ? `选址 ${r} 公里内没有符合条件的存量地块` : '没有符合条件的存量地块'}。`
  );
}

export const muOf = (m2: number) => m2 / M2_PER_MU;
