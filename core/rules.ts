/**
 * The rules a site check applies (domain.md, "The rules a site check applies"), with the
 * texts a report prints. Client and server read the same words from here.
 */
import { formatArea, M2_PER_MU, roundTo } from './units.ts';

export type RuleId = 'permanent-farmland' | 'eco-redline' | 'urban-boundary' | 'general-farmland';
export type VerdictStatus = 'pass' | 'warn' | 'conflict';

/** Verdict statuses as the panel, the report page and the Excel export print them. */
export const STATUS_LABEL: Record<VerdictStatus, { zh: string; en: string }> = {
  pass: { zh: '通过', en: 'Pass' },
  warn: { zh: '提示', en: 'Attention' },
  conflict: { zh: '冲突', en: 'Conflict' },
};

export interface RuleText {
  id: RuleId;
  titleZh: string;
  titleEn: string;
  /** The rule as the policy states it. */
  textZh: string;
  textEn: string;
}

export const rules: Record<RuleId, RuleText> = {
  'permanent-farmland': {
    id: 'permanent-farmland',
    titleZh: '永久基本农田',
    titleEn: 'Permanent basic farmland',
    textZh:
      '永久基本农田实行特殊保护，一般建设项目不得占用；确需占用的，仅限经批准的国家重大项目，并按数量不减、质量不降的要求补划。',
    textEn:
      'Permanent basic farmland is under special protection: ordinary projects may not occupy it; only approved major projects may, with re-designation of equal farmland (补划).',
  },
  'eco-redline': {
    id: 'eco-redline',
    titleZh: '生态保护红线',
    titleEn: 'Ecological protection red line',
    textZh: '生态保护红线内仅允许有限人为活动，须在用地预审阶段开展有限人为活动论证（不可避让论证）。',
    textEn:
      'Inside the ecological protection red line only limited human activity is allowed, and it needs an assessment (有限人为活动论证) at the pre-examination stage.',
  },
  'urban-boundary': {
    id: 'urban-boundary',
    titleZh: '城镇开发边界',
    titleEn: 'Urban development boundary',
    textZh:
      '城镇开发边界内按详细规划开展城镇建设；边界外仅限确需单独选址的项目（线性基础设施、战略储备、旅游、防灾减灾设施等），纳入动态管理。',
    textEn:
      'Inside the boundary, ordinary urban construction under the detailed plan; outside it, only projects with a special siting need (linear infrastructure, strategic reserves, tourism, disaster-prevention facilities), counted in dynamic management.',
  },
  'general-farmland': {
    id: 'general-farmland',
    titleZh: '一般耕地',
    titleEn: 'General farmland',
    textZh: '占用一般耕地须落实占补平衡（先补后占、占一补一、占优补优），补充耕地指标面积不少于占用面积；选址宜优先避让耕地。',
    textEn:
      'Occupying general farmland needs occupation–compensation balance (先补后占、占一补一、占优补优): compensation quota at least equal to the occupied area; sites should prefer non-farmland.',
  },
};

export interface VerdictFigures {
  /** Overlap with the layer, m² (inside the boundary for the urban-boundary rule). */
  overlapM2: number;
  /** For the urban-boundary rule: the part of the site outside it, m². */
  outsideM2?: number;
  siteM2: number;
}

export interface Verdict {
  rule: RuleId;
  status: VerdictStatus;
  titleZh: string;
  titleEn: string;
  /** The verdict for this site, with its figures. */
  messageZh: string;
  messageEn: string;
  ruleTextZh: string;
  ruleTextEn: string;
  figures: VerdictFigures & { quotaMu?: number };
}

/** Below this an overlap is a numerical sliver, not a finding (0.01 m²). */
export const OVERLAP_EPSILON_M2 = 0.01;

const mu = (m2: number) => m2 / M2_PER_MU;

/**
 * The verdict of one rule for a site, from its overlap figures; `format` writes the areas in
 * the messages (default formatArea; a public report gives rounded figures).
 */
export function judge(rule: RuleId, f: VerdictFigures, format: (m2: number, lang: 'zh' | 'en') => string = formatArea): Verdict {
  const r = rules[rule];
  const base = { rule, titleZh: r.titleZh, titleEn: r.titleEn, ruleTextZh: r.textZh, ruleTextEn: r.textEn };
  const zh = (m2: number) => format(m2, 'zh');
  const en = (m2: number) => format(m2, 'en');
  switch (rule) {
    case 'permanent-farmland':
      return f.overlapM2 > OVERLAP_EPSILON_M2
        ? { ...base, status: 'conflict', figures: f, messageZh: `占用永久基本农田 ${zh(f.overlapM2)}，一般建设项目不得占用。`, messageEn: `Occupies ${en(f.overlapM2)} of permanent basic farmland: not approvable for an ordinary project.` }
        : { ...base, status: 'pass', figures: f, messageZh: '不占用永久基本农田。', messageEn: 'Does not occupy permanent basic farmland.' };
    case 'eco-redline':
      return f.overlapM2 > OVERLAP_EPSILON_M2
        ? { ...base, status: 'warn', figures: f, messageZh: `涉及生态保护红线 ${zh(f.overlapM2)}，须开展有限人为活动论证。`, messageEn: `Touches the ecological red line over ${en(f.overlapM2)}: a limited-human-activity assessment is required.` }
        : { ...base, status: 'pass', figures: f, messageZh: '不涉及生态保护红线。', messageEn: 'Does not touch the ecological red line.' };
    case 'urban-boundary': {
      const outside = f.outsideM2 ?? 0;
      return outside > OVERLAP_EPSILON_M2
        ? { ...base, status: 'warn', figures: f, messageZh: `位于城镇开发边界外 ${zh(outside)}，边界内 ${zh(f.overlapM2)}；边界外部分须符合单独选址条件。`, messageEn: `${en(outside)} lies outside the urban development boundary, ${en(f.overlapM2)} inside: the outside part needs a special-siting justification.` }
        : { ...base, status: 'pass', figures: f, messageZh: '全部位于城镇开发边界内。', messageEn: 'Entirely inside the urban development boundary.' };
    }
    case 'general-farmland': {
      // rounded at 1e-9 first: 3.2 亩 stored as 3.2000000000000006 needs 3.20 亩 of quota, not 3.21
      const quotaMu = Math.ceil(roundTo(mu(f.overlapM2) * 100, 9)) / 100;
      return f.overlapM2 > OVERLAP_EPSILON_M2
        ? { ...base, status: 'warn', figures: { ...f, quotaMu }, messageZh: `占用一般耕地 ${zh(f.overlapM2)}，须落实耕地占补平衡指标 ${quotaMu.toFixed(2)} 亩。`, messageEn: `Occupies ${en(f.overlapM2)} of general farmland: compensation quota of ${quotaMu.toFixed(2)} mu is needed.` }
        : { ...base, status: 'pass', figures: { ...f, quotaMu: 0 }, messageZh: '不占用一般耕地。', messageEn: 'Does not occupy general farmland.' };
    }
  }
}
