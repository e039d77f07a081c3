/**
 * Encroachment review (违法占地图斑核查): the statuses of a case, which decisions may follow
 * which, and the county threshold of the yearly illegal farmland occupation.
 *
 * Statuses:
 * - 待核查 (pending) — every case starts here; no decision leads back to it;
 * - 需实地核查 (needs a field check) — undecided, waiting for someone to go and look;
 * - 违法占用 (confirmed illegal), 合法用地 (legal, with its approval number), 误报 (false
 *   alarm) — the outcomes.
 *
 * Transitions (one rule for the server and the client):
 * - from 待核查: to any of the four others; the comment is optional;
 * - from 需实地核查: to an outcome, comment optional; staying 需实地核查 is a note (comment required);
 * - from an outcome: to another outcome or back to 需实地核查 only with a comment (re-opening a
 *   closed case must say why); staying on the same outcome is an amendment (e.g. a corrected
 *   approval number) and needs a comment too;
 * - to 待核查: never.
 * 合法用地 needs an approval number (批准文号); no other status carries one.
 *
 * @example checkDecision({ from: '待核查', to: '合法用地', approvalNo: '' }) // { ok: false, field: 'approvalNo', … }
 */
import { roundTo } from './units.ts';
import { CASE_STATUS_EN } from './vocabulary.ts';

export const CASE_STATUSES = ['待核查', '违法占用', '合法用地', '误报', '需实地核查'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** The outcomes: a case in one of these is closed until re-opened. */
export const CASE_OUTCOMES = ['违法占用', '合法用地', '误报'] as const satisfies readonly CaseStatus[];
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

/** Undecided: counted as pending in the county view. */
export const PENDING_STATUSES = ['待核查', '需实地核查'] as const satisfies readonly CaseStatus[];

/** Where a case came from: satellite change detection, patrol, public report. */
export const CASE_SOURCES = ['卫片', '巡查', '举报'] as const;
export type CaseSource = (typeof CASE_SOURCES)[number];

export const CASE_STATUS_LABEL: Record<CaseStatus, { key: string; en: string }> = {
  待核查: { key: 'pending', en: CASE_STATUS_EN.待核查 },
  违法占用: { key: 'illegal', en: CASE_STATUS_EN.违法占用 },
  合法用地: { key: 'legal', en: CASE_STATUS_EN.合法用地 },
  误报: { key: 'false-alarm', en: CASE_STATUS_EN.误报 },
  需实地核查: { key: 'field-check', en: CASE_STATUS_EN.需实地核查 },
};

export const isOutcome = (s: string): s is CaseOutcome => (CASE_OUTCOMES as readonly string[]).includes(s);

/** `allowed`: comment optional; `needs-comment`: allowed with a comment; `forbidden`: never. */
export type TransitionRule = 'allowed' | 'needs-comment' | 'forbidden';

/**
 * Whether a case may go from one status to another.
 *
 * @example transitionRule('待核查', '违法占用') // 'allowed'
 * @example transitionRule('违法占用', '误报') // 'needs-comment'
 * @example transitionRule('误报', '待核查') // 'forbidden'
 */
export function transitionRule(from: CaseStatus, to: CaseStatus): TransitionRule {
  if (to === '待核查') return 'forbidden';
  if (from === '待核查') return 'allowed';
  if (from === '需实地核查') return to === '需实地核查' ? 'needs-comment' : 'allowed';
  return 'needs-comment'; // from an outcome: re-opening, revising or amending
}

/** The decisions the client may offer on a case in `from`, in display order. */
export function allowedTransitions(from: CaseStatus): { status: CaseStatus; needsComment: boolean }[] {
  return CASE_STATUSES.map((status) => ({ status, rule: transitionRule(from, status) }))
    .filter((t) => t.rule !== 'forbidden')
    .map((t) => ({ status: t.status, needsComment: t.rule === 'needs-comment' }));
}

export const MAX_APPROVAL_NO = 64;
export const MAX_COMMENT = 2000;
export const MAX_ACTOR = 50;

export interface DecisionInput {
  from: CaseStatus;
  to: CaseStatus;
  approvalNo?: string | null | undefined;
  comment?: string | null | undefined;
}

/** A refused decision: a code, the request field at fault, and the reason in both languages. */
export interface DecisionProblem {
  ok: false;
  code: 'TRANSITION_FORBIDDEN' | 'COMMENT_REQUIRED' | 'APPROVAL_NO_REQUIRED' | 'APPROVAL_NO_NOT_ALLOWED';
  field: 'status' | 'comment' | 'approvalNo';
  zh: string;
  en: string;
}

const blank = (s: string | null | undefined) => !s || !s.trim();

/**
 * Checks a decision against the rules above; field names in the messages are the request's
 * (status 核查结论, comment 核查意见, approvalNo 批准文号).
 *
 * @example checkDecision({ from: '违法占用', to: '需实地核查' }).ok // false: a comment is needed
 */
export function checkDecision(d: DecisionInput): { ok: true } | DecisionProblem {
  const rule = transitionRule(d.from, d.to);
  if (rule === 'forbidden') {
    return {
      ok: false,
      code: 'TRANSITION_FORBIDDEN',
      field: 'status',
      zh: `核查结论不能从“${d.from}”改为“${d.to}”：待核查只是图斑的初始状态`,
      en: `The status cannot go from ${CASE_STATUS_LABEL[d.from].en} to ${CASE_STATUS_LABEL[d.to].en}: pending is only the initial state`,
    };
  }
  if (d.to === '合法用地' && blank(d.approvalNo)) {
    return {
      ok: false,
      code: 'APPROVAL_NO_REQUIRED',
      field: 'approvalNo',
      zh: '批准文号必填：认定为合法用地须填写用地批准文号',
      en: 'The approval number is required: a legal use needs its approval number',
    };
  }
  if (d.to !== '合法用地' && !blank(d.approvalNo)) {
    return {
      ok: false,
      code: 'APPROVAL_NO_NOT_ALLOWED',
      field: 'approvalNo',
      zh: `批准文号只在核查结论为合法用地时填写，当前结论为“${d.to}”`,
      en: `An approval number is only given with a legal use, not with ${CASE_STATUS_LABEL[d.to].en}`,
    };
  }
  if (rule === 'needs-comment' && blank(d.comment)) {
    const same = d.from === d.to;
    return {
      ok: false,
      code: 'COMMENT_REQUIRED',
      field: 'comment',
      zh: same
        ? `核查意见必填：图斑已是“${d.to}”，补充或更正须说明理由`
        : `核查意见必填：图斑已办结为“${d.from}”，改为“${d.to}”须说明理由`,
      en: same
        ? `comment is required: the case is already ${CASE_STATUS_LABEL[d.to].en}; an amendment must say why`
        : `comment is required: re-opening a case decided as ${CASE_STATUS_LABEL[d.from].en} must say why`,
    };
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// The county threshold (Jiaozuo bureau 2026, domain.md)

/** More than this many 亩 of new illegal farmland occupation in a year… */
export const ILLEGAL_FARMLAND_LIMIT_MU = 20;
/** …costs the county this many 亩 of next year's new-construction quota. */
export const QUOTA_PENALTY_MU = 200;
/** From this many 亩 a county is shown as close to the limit (our choice: three quarters of it). */
export const CLOSE_TO_LIMIT_MU = 15;

export type CountyStanding = 'over' | 'close' | 'ok';

/**
 * Where a county stands with its confirmed illegal farmland occupation of a year, judged on the
 * figure as reported (亩, rounded to 2 decimals): over the limit when more than 20 亩, close
 * from 15 亩, else ok.
 *
 * @example countyStanding(20) // 'close' — exactly 20 亩 is not more than 20
 * @example countyStanding(20.01) // 'over'
 */
export function countyStanding(illegalFarmlandMu: number): CountyStanding {
  const mu = roundTo(illegalFarmlandMu, 2);
  if (mu > ILLEGAL_FARMLAND_LIMIT_MU) return 'over';
  if (mu >= CLOSE_TO_LIMIT_MU) return 'close';
  return 'ok';
}
