/**
 * The stock-land ledger's transitions (存量土地台账, docs/domain.md "The stock-land ledger"): what
 * each event does to a parcel's category and status, and when it is refused. Pure: the server
 * (server/src/modules/ledger/service.ts) locks the parcel, asks here, then writes the event and
 * the parcel's new state.
 *
 * - supply (供应): 批而未供, 可供应 or 已意向 → 已供应.
 * - dispose (闲置土地处置): 闲置土地, not 已盘活/已注销; 收回 and 置换 give the land back to the
 *   government to supply (批而未供, 可供应), the other methods → 已盘活.
 * - redevelop (低效用地再开发): 低效用地, not 已盘活/已注销 → 已盘活.
 * - intent (已意向): 可供应 → 已意向; intent-withdrawn: 已意向 → 可供应.
 * - split / merge: a parcel 可供应 → 已注销; the new parcels start 可供应 in the same category.
 *
 * @example stockTransition({ category: '批而未供', status: '可供应' }, { kind: 'supply' })
 *   // { ok: true, after: { category: '批而未供', status: '已供应' } }
 * @example stockTransition({ category: '批而未供', status: '已供应' }, { kind: 'supply' }).ok // false
 */
import { DISPOSAL_METHOD_EN, STOCK_CATEGORY_EN, STOCK_STATUS_EN, SUPPLY_METHOD_EN } from './vocabulary.ts';

/** A parcel retired by a split or a merge: kept for its history, served nowhere (map, search, match, exports). */
export const RETIRED_STATUS = '已注销';
/** Disposed of or redeveloped: in use again, never offered. */
export const REVITALISED_STATUS = '已盘活';

export const STOCK_EVENT_KINDS = ['supply', 'dispose', 'redevelop', 'intent', 'intent-withdrawn', 'split', 'merge'] as const;
export type StockEventKind = (typeof STOCK_EVENT_KINDS)[number];

/** The kinds that revitalise stock land (盘活): the yearly revitalisation rate counts them. */
export const REVITALISING_KINDS = ['supply', 'dispose', 'redevelop'] as const satisfies readonly StockEventKind[];

/** The kinds a parcel page's form records on one parcel (split and merge edit geometry: routes of their own). */
export const SINGLE_PARCEL_KINDS = ['supply', 'dispose', 'redevelop', 'intent', 'intent-withdrawn'] as const satisfies readonly StockEventKind[];
export type SingleParcelKind = (typeof SINGLE_PARCEL_KINDS)[number];

export const SUPPLY_METHODS = Object.keys(SUPPLY_METHOD_EN) as (keyof typeof SUPPLY_METHOD_EN)[];
export type SupplyMethod = keyof typeof SUPPLY_METHOD_EN;
export const DISPOSAL_METHODS = Object.keys(DISPOSAL_METHOD_EN) as (keyof typeof DISPOSAL_METHOD_EN)[];
export type DisposalMethod = keyof typeof DISPOSAL_METHOD_EN;

/** Disposals that give the land back to the government to supply again (批而未供, 可供应). */
export const DISPOSALS_BACK_TO_SUPPLY: readonly DisposalMethod[] = ['收回', '置换'];

/** A kind in words, zh and en (the Chinese word is the one the ledger export writes). */
export const STOCK_EVENT_KIND_LABEL: Record<StockEventKind, { zh: string; en: string }> = {
  supply: { zh: '供应', en: 'Supply' },
  dispose: { zh: '闲置土地处置', en: 'Idle-land disposal' },
  redevelop: { zh: '低效用地再开发', en: 'Redevelopment' },
  intent: { zh: '意向', en: 'Reserved for an enterprise' },
  'intent-withdrawn': { zh: '撤回意向', en: 'Reservation withdrawn' },
  split: { zh: '分割', en: 'Split' },
  merge: { zh: '合并', en: 'Merge' },
};

export interface ParcelState {
  category: string;
  status: string;
}

export interface TransitionEvent {
  kind: StockEventKind;
  /** The disposal's method (dispose only). */
  method?: string;
}

export type Transition =
  | { ok: true; after: ParcelState }
  | { ok: false; code: 'STOCK_TRANSITION_REFUSED'; zh: string; en: string };

const statusEn = (s: string) => (STOCK_STATUS_EN as Record<string, string>)[s] ?? s;
const categoryEn = (c: string) => (STOCK_CATEGORY_EN as Record<string, string>)[c] ?? c;

function refuse(state: ParcelState, event: TransitionEvent, whyZh: string, whyEn: string): Transition {
  const k = STOCK_EVENT_KIND_LABEL[event.kind];
  return {
    ok: false,
    code: 'STOCK_TRANSITION_REFUSED',
    zh: `地块为${state.category}、${state.status}，不能登记${k.zh}：${whyZh}`,
    en: `The parcel is ${categoryEn(state.category).toLowerCase()}, ${statusEn(state.status).toLowerCase()}: ${k.en.toLowerCase()} cannot be recorded (${whyEn})`,
  };
}

/** What `event` makes of a parcel in `state`, or why it is refused (in both languages). */
export function stockTransition(state: ParcelState, event: TransitionEvent): Transition {
  const { category, status } = state;
  const to = (s: string, c = category): Transition => ({ ok: true, after: { category: c, status: s } });
  if (status === '已注销') return refuse(state, event, '地块已因分割或合并注销，只保留历史', 'it was retired by a split or a merge and is kept for its history only');
  switch (event.kind) {
    case 'supply':
      if (category !== '批而未供') return refuse(state, event, '只有批而未供的地块可以供应', 'only approved-not-supplied land can be supplied');
      if (status === '已供应') return refuse(state, event, '地块已经供应，不能再次供应', 'it has been supplied already');
      if (status !== '可供应' && status !== '已意向') return refuse(state, event, '只有可供应或已意向的地块可以供应', 'only available or reserved land can be supplied');
      return to('已供应');
    case 'dispose': {
      if (category !== '闲置土地') return refuse(state, event, '只有闲置土地可以登记处置', 'only idle land is disposed of');
      if (status === '已盘活') return refuse(state, event, '地块已经盘活', 'it has been revitalised already');
      if (!event.method || !(DISPOSAL_METHODS as string[]).includes(event.method)) {
        return refuse(state, event, `须给出处置方式（${DISPOSAL_METHODS.join('、')}）`, `a disposal method is needed (${DISPOSAL_METHODS.map((m) => DISPOSAL_METHOD_EN[m]).join(', ')})`);
      }
      return (DISPOSALS_BACK_TO_SUPPLY as string[]).includes(event.method) ? to('可供应', '批而未供') : to('已盘活');
    }
    case 'redevelop':
      if (category !== '低效用地') return refuse(state, event, '只有低效用地可以登记再开发', 'only inefficiently used land is redeveloped');
      if (status === '已盘活') return refuse(state, event, '地块已经盘活', 'it has been revitalised already');
      return to('已盘活');
    case 'intent':
      if (status !== '可供应') return refuse(state, event, '只有可供应的地块可以登记意向', 'only available land can be reserved');
      return to('已意向');
    case 'intent-withdrawn':
      if (status !== '已意向') return refuse(state, event, '地块没有登记意向', 'it is not reserved');
      return to('可供应');
    case 'split':
    case 'merge':
      if (status !== '可供应') return refuse(state, event, '只有可供应的地块可以分割或合并', 'only available land can be split or merged');
      return to('已注销');
  }
}

/** The state a split's or a merge's new parcels start in. */
export function childState(parents: readonly ParcelState[]): ParcelState {
  return { category: parents[0]!.category, status: '可供应' };
}

/** Whether a kind counts as revitalising stock land (the yearly rate). */
export const isRevitalising = (kind: string): boolean => (REVITALISING_KINDS as readonly string[]).includes(kind);
