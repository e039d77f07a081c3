/**
 * A plausible review history for the generated encroachment cases (docs/domain.md, "Illegal
 * occupation and its rectification"), so that the county view has decisions and rectifications
 * to count:
 *
 * - part of the cases have been decided — more of the older years' (about two in five of 2024's,
 *   a third of 2025's, a quarter of 2026's), the rest still pending: mostly 违法占用, else 误报,
 *   合法用地 (with its approval number) or 需实地核查, a week to two months after detection;
 * - each case confirmed illegal got a deadline (a rectification notice) just after it was decided,
 *   one to four months ahead, and then: most were rectified within the year of detection, some
 *   only in the first quarter of the next year, some not at all (yet).
 *
 * Every decision goes through the review's rules (core/case-status.ts) and every rectification
 * keeps its dates in order (not before detection, none after `end`), so the history is one the
 * API would have accepted.
 */
import { checkDecision, type CaseStatus } from '../../core/case-status.ts';
import type { Rng } from './rng.ts';

export interface HistoryCase {
  id: number;
  code: string;
  countyCode: string;
  /** YYYY-MM-DD. */
  detectedOn: string;
}

export interface SeedDecision {
  caseId: number;
  /** ISO instant. */
  at: string;
  actor: string;
  toStatus: CaseStatus;
  approvalNo: string | null;
  comment: string;
  changes: Record<string, { from: string | null; to: string | null }>;
}

export interface SeedRectification {
  caseId: number;
  at: string;
  actor: string;
  deadline: string;
  rectifiedOn: string | null;
  docNo: string;
  note: string;
  changes: Record<string, { from: string | null; to: string | null }>;
}

export interface CaseHistory {
  decisions: SeedDecision[];
  rectifications: SeedRectification[];
}

const DAY = 86_400_000;
const msOf = (day: string) => Date.parse(`${day}T00:00:00Z`);
const addDays = (day: string, n: number) => new Date(msOf(day) + n * DAY).toISOString().slice(0, 10);
const min = (a: string, b: string) => (a < b ? a : b);
const max = (a: string, b: string) => (a > b ? a : b);
/** A day in [from, to], or null when the window is empty. */
const dayIn = (rng: Rng, from: string, to: string): string | null =>
  to < from ? null : addDays(from, Math.floor(rng.next() * ((msOf(to) - msOf(from)) / DAY + 1)));
/** A Beijing office hour of `day` as an ISO instant. */
const at = (rng: Rng, day: string) => new Date(msOf(day) + (rng.int(8, 17) - 8) * 3_600_000 + rng.int(0, 59) * 60_000).toISOString();

const AUDITORS = ['王建国', '李敏', '张伟', '刘洋', '陈静', '赵磊', '孙丽', '周强'];
const DECIDED_SHARE: Record<string, number> = { '2024': 0.4, '2025': 0.33, '2026': 0.25 };
const COMMENTS: Record<string, string[]> = {
  违法占用: ['实地核查：未批先建，占用耕地建设厂房', '实地核查：擅自占用耕地硬化场地', '实地核查：违法占地建设养殖设施，未见用地手续', '实地核查：占用耕地堆放建材'],
  误报: ['复核：为农业设施大棚，非建设占用', '复核：影像变化为耕作层翻耕', '复核：季节性积水，未占用'],
  合法用地: ['核实：已办理农用地转用审批', '核实：属批准的线性工程用地'],
  需实地核查: ['影像难以判读，需到现场核实', '疑似临时用地，需核实批准期限'],
};

export function caseHistory(cases: readonly HistoryCase[], rng: Rng, opts: { end: string }): CaseHistory {
  const decisions: SeedDecision[] = [];
  const rectifications: SeedRectification[] = [];
  const seq = new Map<string, number>();
  const number = (kind: string, year: string) => {
    const key = `${kind}${year}`;
    const n = (seq.get(key) ?? 0) + 1;
    seq.set(key, n);
    return n;
  };
  for (const c of cases) {
    const year = c.detectedOn.slice(0, 4);
    if (!rng.chance(DECIDED_SHARE[year] ?? 0.25)) continue;
    const decidedOn = addDays(c.detectedOn, rng.int(7, 60));
    if (decidedOn > opts.end) continue;
    const status = rng.weighted([['违法占用', 55], ['误报', 20], ['合法用地', 12], ['需实地核查', 13]] as const) as CaseStatus;
    const approvalNo = status === '合法用地' ? `汴政土〔${year}〕${number('批', year)}号` : null;
    const comment = rng.pick(COMMENTS[status]!);
    const verdict = checkDecision({ from: '待核查', to: status, approvalNo, comment });
    if (!verdict.ok) throw new Error(`演示核查记录生成了不允许的结论：${c.code} ${verdict.zh}`);
    const actor = rng.pick(AUDITORS);
    const decidedAt = at(rng, decidedOn);
    decisions.push({
      caseId: c.id,
      at: decidedAt,
      actor,
      toStatus: status,
      approvalNo,
      comment,
      changes: { status: { from: '待核查', to: status }, ...(approvalNo ? { approvalNo: { from: null, to: approvalNo } } : {}), comment: { from: null, to: comment } },
    });
    if (status !== '违法占用') continue;

    // the rectification notice, recorded just after the decision
    const deadline = addDays(decidedOn, rng.int(30, 120));
    rectifications.push({
      caseId: c.id,
      at: new Date(Date.parse(decidedAt) + rng.int(5, 50) * 60_000).toISOString(),
      actor,
      deadline,
      rectifiedOn: null,
      docNo: `汴自然资执改〔${year}〕${number('改', year)}号`,
      note: '下达责令限期整改通知书：限期拆除违法建（构）筑物，恢复耕种条件',
      changes: { deadline: { from: null, to: deadline } },
    });
    const yearEnd = `${year}-12-31`;
    const next = String(Number(year) + 1);
    const outcome = rng.weighted([['in-time', 78], ['late', 10], ['not', 12]] as const);
    const lateDay = () => dayIn(rng, max(`${next}-01-01`, addDays(decidedOn, 10)), min(`${next}-03-31`, opts.end));
    // a case decided in the last days of the year can only be put right in the next
    const doneOn =
      outcome === 'in-time'
        ? (dayIn(rng, addDays(decidedOn, 10), min(min(addDays(deadline, 20), yearEnd), opts.end)) ?? lateDay())
        : outcome === 'late'
          ? lateDay()
          : null;
    if (!doneOn) continue;
    rectifications.push({
      caseId: c.id,
      at: at(rng, doneOn),
      actor: rng.pick(AUDITORS),
      deadline,
      rectifiedOn: doneOn,
      docNo: `汴自然资执复〔${doneOn.slice(0, 4)}〕${number('复', doneOn.slice(0, 4))}号`,
      note: rng.pick(['已拆除违法建（构）筑物并复耕，经复查合格', '已恢复耕种条件，经现场复查合格', '违法建筑已拆除，场地已复垦']),
      changes: { status: { from: '未整改', to: '已整改' }, doneOn: { from: null, to: doneOn } },
    });
  }
  return { decisions, rectifications };
}
