/**
 * A plausible history for the generated stock-land library (docs/domain.md, "The stock-land
 * ledger" and "Enterprise land requests"): the events that brought each parcel to its state and
 * the bureau's work over 2021–2026, and enterprises' land requests with the bureau's proposals.
 *
 * - a supplied parcel (批而未供, 已供应) was supplied once — by 出让 mostly, 划拨 for public
 *   services, 先租后让 or 租赁 for some industry — at a price near its reference price;
 * - a reserved one (已意向) was reserved in the last year and a half;
 * - some available ones were reserved and the reservation withdrawn;
 * - of the idle land, about two in five were disposed of during 2021–2026 (动工开发 most often);
 *   what was taken back (收回, 置换) is approved-not-supplied land again, and some of it has been
 *   supplied since;
 * - of the inefficiently used land, about a third was redeveloped;
 * - enterprises' requests: most open, some with a proposal awaiting an answer or declined with a
 *   reason, some matched (the parcel reserved for the enterprise by an intent event dated the
 *   day it accepted), some withdrawn.
 *
 * Every event goes through the ledger's own transitions (core/ledger.ts), so the history is one
 * the API would have accepted, in date order per parcel, none after `end`.
 */
import { stockTransition, type StockEventKind } from '../../core/ledger.ts';
import { usesFor, type PlannedUse } from '../../core/stock-match.ts';
import { M2_PER_MU } from '../../core/units.ts';
import type { Rng } from './rng.ts';

export interface HistoryParcel {
  code: string;
  countyCode: string;
  category: string;
  status: string;
  plannedUse: string;
  areaM2: number;
  refPrice: number | null;
  /** 入库日期, YYYY-MM-DD. */
  recordedOn: string;
  contactDept: string;
}

export interface HistoryEvent {
  parcelCode: string;
  kind: StockEventKind;
  eventDate: string;
  docNo: string;
  actorName: string;
  countyCode: string;
  categoryBefore: string;
  statusBefore: string;
  categoryAfter: string;
  statusAfter: string;
  areaM2: number;
  details: Record<string, unknown>;
}

export interface HistoryCompany {
  /** demo-enterprise-01 …: accounts that cannot sign in (the demo's requests need an owner). */
  username: string;
  name: string;
}

export interface HistoryRequest {
  id: number;
  owner: string;
  company: string;
  use: PlannedUse;
  areaMinMu: number;
  areaMaxMu: number;
  countyCode: string | null;
  plotRatioMin: number | null;
  plotRatioMax: number | null;
  budgetWan: number | null;
  neededBy: string;
  contactName: string;
  contactPhone: string;
  note: string | null;
  status: 'open' | 'matched' | 'withdrawn';
  createdAt: string;
  closedAt: string | null;
  closedReason: string | null;
}

export interface HistoryProposal {
  requestId: number;
  parcelCode: string;
  proposerName: string;
  note: string | null;
  createdAt: string;
  decision: 'accepted' | 'declined' | null;
  decidedAt: string | null;
  declineReason: string | null;
}

export interface LedgerHistory {
  events: HistoryEvent[];
  /** The parcels whose state the history changed, with their state now. */
  finalState: Map<string, { category: string; status: string }>;
  companies: HistoryCompany[];
  requests: HistoryRequest[];
  proposals: HistoryProposal[];
}

const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const msOf = (day: string) => Date.parse(`${day}T00:00:00Z`);
/** A day in [from, to] (YYYY-MM-DD), or null when the window is empty. */
const dayIn = (rng: Rng, from: string, to: string): string | null => {
  const a = msOf(from);
  const b = msOf(to);
  return b < a ? null : dayOf(a + Math.floor(rng.next() * ((b - a) / DAY + 1)) * DAY);
};
const later = (a: string, b: string) => (a > b ? a : b);
const nextDay = (d: string) => dayOf(msOf(d) + DAY);

const PLACES = ['开封', '汴京', '宋都', '黄河', '中原', '豫东', '祥符', '兰考', '杞县', '通许', '尉氏', '龙亭'];
const TRADES = ['精密机械', '新材料', '智能装备', '食品', '现代物流', '汽车零部件', '纺织', '生物医药', '电子科技', '农产品加工', '新能源', '包装材料'];
const FORMS = ['有限公司', '股份有限公司', '有限责任公司'];
const companyName = (rng: Rng) => `${rng.pick(PLACES)}${rng.pick(TRADES)}${rng.pick(FORMS)}`;
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const DECLINE_REASONS = ['参考价超出预算', '距高速出口较远', '面积偏大，分期开发不便', '交地时间与项目计划不符', '周边配套不足', '容积率不满足工艺要求'];
const WITHDRAW_REASONS = ['项目暂缓', '已在外地落地', '投资计划调整', null];
const REQUEST_NOTES = ['新建厂房，需临近道路', '一期先用一半，二期扩建', '需双回路供电', '仓储物流项目，需近高速出口', null, null];

export function ledgerHistory(parcels: readonly HistoryParcel[], rng: Rng, opts: { end: string; requests: number; counties: readonly string[] }): LedgerHistory {
  const events: HistoryEvent[] = [];
  const finalState = new Map<string, { category: string; status: string }>();
  const seq = new Map<string, number>();
  const docNo = (prefix: string, day: string) => {
    const key = `${prefix}${day.slice(0, 4)}`;
    const n = (seq.get(key) ?? 0) + 1;
    seq.set(key, n);
    return `汴自然资${prefix}〔${day.slice(0, 4)}〕${n}号`;
  };
  const touched = new Set<string>();

  /** Applies one event through the ledger's rules; the parcel's state moves on. */
  const apply = (p: HistoryParcel, state: { category: string; status: string }, kind: StockEventKind, day: string, details: Record<string, unknown>, method?: string) => {
    const t = stockTransition(state, { kind, method });
    if (!t.ok) throw new Error(`演示台账生成了不允许的变动：${p.code} ${t.zh}`);
    const prefix = kind === 'supply' ? '供' : kind === 'dispose' ? '闲' : kind === 'redevelop' ? '盘' : '意';
    events.push({
      parcelCode: p.code,
      kind,
      eventDate: day,
      docNo: docNo(prefix, day),
      actorName: p.contactDept,
      countyCode: p.countyCode,
      categoryBefore: state.category,
      statusBefore: state.status,
      categoryAfter: t.after.category,
      statusAfter: t.after.status,
      areaM2: p.areaM2,
      details,
    });
    touched.add(p.code);
    return t.after;
  };
  const mu = (p: HistoryParcel) => p.areaM2 / M2_PER_MU;
  const supplyDetails = (p: HistoryParcel, day: string) => {
    const method =
      p.plannedUse === '公共管理与公共服务' ? '划拨' : p.plannedUse === '工业' || p.plannedUse === '仓储' ? rng.weighted([['出让', 70], ['先租后让', 15], ['租赁', 15]] as const) : '出让';
    const unit = p.refPrice ?? rng.range(15, 30);
    return {
      method,
      contractNo: `HT-${p.countyCode}-${day.slice(0, 4)}-${String(rng.int(1, 999)).padStart(3, '0')}`,
      landUser: companyName(rng),
      ...(method === '划拨' ? {} : { priceWan: Math.round(unit * mu(p) * rng.range(1.0, 1.4) * 10) / 10 }),
    };
  };

  for (const p of parcels) {
    let state = { category: p.category, status: p.status };
    const from = later(nextDay(p.recordedOn), '2021-01-01');
    if (p.category === '批而未供' && p.status === '已供应') {
      // supplied already: the supply took it from 可供应, in the last years
      const day = dayIn(rng, later(nextDay(p.recordedOn), '2019-01-01'), opts.end);
      if (!day) continue;
      state = apply(p, { category: p.category, status: '可供应' }, 'supply', day, supplyDetails(p, day));
    } else if (p.category === '批而未供' && p.status === '已意向') {
      const day = dayIn(rng, later(nextDay(p.recordedOn), '2025-06-01'), opts.end);
      if (!day) continue;
      state = apply(p, { category: p.category, status: '可供应' }, 'intent', day, { enterprise: companyName(rng) });
    } else if (p.category === '批而未供' && p.status === '可供应' && rng.chance(0.12)) {
      const d1 = dayIn(rng, from, opts.end);
      const d2 = d1 && dayIn(rng, nextDay(d1), opts.end);
      if (!d1 || !d2) continue;
      state = apply(p, state, 'intent', d1, { enterprise: companyName(rng) });
      state = apply(p, state, 'intent-withdrawn', d2, { reason: rng.pick(['企业投资计划调整', '未能按期签订出让合同', '企业另选址']) });
    } else if (p.category === '闲置土地' && rng.chance(0.4)) {
      const day = dayIn(rng, from, opts.end);
      if (!day) continue;
      const method = rng.weighted([['动工开发', 40], ['征缴土地闲置费', 20], ['收回', 20], ['置换', 10], ['调整规划条件', 10]] as const);
      state = apply(p, state, 'dispose', day, { method }, method);
      // taken back: the government may have supplied it again since
      const again = state.status === '可供应' && rng.chance(0.35) ? dayIn(rng, nextDay(day), opts.end) : null;
      if (again) state = apply(p, state, 'supply', again, supplyDetails(p, again));
    } else if (p.category === '低效用地' && rng.chance(0.33)) {
      const day = dayIn(rng, from, opts.end);
      if (!day) continue;
      state = apply(p, state, 'redevelop', day, { project: `${rng.pick(['老厂区', '旧仓库', '城中村', '低效工业园'])}${rng.pick(['改造提升', '腾退再开发', '二次开发'])}项目` });
    } else continue;
    if (state.category !== p.category || state.status !== p.status) finalState.set(p.code, state);
  }

  // ---- enterprises' land requests, owned by demo accounts that cannot sign in
  const companies: HistoryCompany[] = Array.from({ length: 8 }, (_, i) => ({ username: `demo-enterprise-${String(i + 1).padStart(2, '0')}`, name: companyName(rng) }));
  const free = parcels.filter((p) => !touched.has(p.code) && p.category === '批而未供' && p.status === '可供应' && p.recordedOn < '2026-01-01');
  const taken = new Set<string>();
  const requests: HistoryRequest[] = [];
  const proposals: HistoryProposal[] = [];
  const stamp = (day: string, rngHour = rng.int(1, 9)) => `${day}T${String(rngHour).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00Z`;
  for (let id = 1; id <= opts.requests; id++) {
    const owner = rng.pick(companies);
    const use = rng.weighted([['工业', 60], ['仓储', 20], ['商业', 10], ['商务', 10]] as const) as PlannedUse;
    const created = dayIn(rng, '2026-01-05', opts.end)!;
    const status = rng.weighted([['open', 60], ['matched', 25], ['withdrawn', 15]] as const);
    // a matched request was met by a parcel of its use: its range is drawn around that parcel
    const candidates = free.filter((p) => !taken.has(p.code) && (usesFor(use) as string[]).includes(p.plannedUse) && p.countyCode);
    const parcel = status !== 'withdrawn' && candidates.length ? rng.pick(candidates) : null;
    const areaMin = parcel ? Math.max(1, Math.floor((mu(parcel) * rng.range(0.75, 0.95)) / 5) * 5) : Math.round(rng.logRange(10, 120) / 5) * 5 || 5;
    const areaMax = parcel ? Math.ceil((mu(parcel) * rng.range(1.05, 1.6)) / 5) * 5 : Math.ceil((areaMin * rng.range(1.3, 2.5)) / 5) * 5;
    const county = parcel && rng.chance(0.7) ? parcel.countyCode : rng.chance(0.6) ? rng.pick(opts.counties) : null;
    const r: HistoryRequest = {
      id,
      owner: owner.username,
      company: owner.name,
      use,
      areaMinMu: areaMin,
      areaMaxMu: Math.max(areaMax, areaMin),
      countyCode: county,
      plotRatioMin: use === '工业' && rng.chance(0.5) ? 1.0 : null,
      plotRatioMax: use === '工业' && rng.chance(0.5) ? 2.5 : null,
      budgetWan: rng.chance(0.5) ? Math.round(areaMax * rng.range(25, 60)) : null,
      neededBy: dayIn(rng, '2027-01-01', '2027-12-31')!,
      contactName: `${rng.pick(SURNAMES)}${rng.pick(['经理', '主任', '总', '女士', '先生'])}`,
      contactPhone: `0371-2${rng.int(1000000, 9999999)}`,
      note: rng.pick(REQUEST_NOTES),
      status: 'open',
      createdAt: stamp(created),
      closedAt: null,
      closedReason: null,
    };
    requests.push(r);
    const staff = parcel ? parcel.contactDept : '开封市自然资源和规划局供地科';
    if (status === 'withdrawn') {
      const day = dayIn(rng, nextDay(created), opts.end);
      if (day) Object.assign(r, { status: 'withdrawn', closedAt: stamp(day, 10), closedReason: rng.pick(WITHDRAW_REASONS) });
      continue;
    }
    if (!parcel) continue;
    const proposedOn = dayIn(rng, nextDay(created), opts.end);
    if (!proposedOn) continue;
    taken.add(parcel.code);
    const proposal: HistoryProposal = { requestId: id, parcelCode: parcel.code, proposerName: staff, note: rng.pick(['符合用途与面积要求', '临近园区主干道', '已完成土地征收', null]), createdAt: stamp(proposedOn, 2), decision: null, decidedAt: null, declineReason: null };
    proposals.push(proposal);
    const answeredOn = dayIn(rng, nextDay(proposedOn), opts.end);
    if (status === 'matched' && answeredOn) {
      // accepted: the parcel reserved for the enterprise on that day, as the API does
      apply(parcel, { category: parcel.category, status: parcel.status }, 'intent', answeredOn, { requestId: id, enterprise: owner.name });
      events[events.length - 1]!.docNo = `企业找地第 ${id} 号`;
      events[events.length - 1]!.actorName = owner.name;
      finalState.set(parcel.code, { category: parcel.category, status: '已意向' });
      Object.assign(proposal, { decision: 'accepted', decidedAt: stamp(answeredOn, 11) });
      Object.assign(r, { status: 'matched', closedAt: stamp(answeredOn, 11) });
    } else if (answeredOn && rng.chance(0.4)) {
      Object.assign(proposal, { decision: 'declined', decidedAt: stamp(answeredOn, 11), declineReason: rng.pick(DECLINE_REASONS) });
    }
  }
  return { events, finalState, companies, requests, proposals };
}
