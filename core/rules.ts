/**
 * Judging a site by the rules of the layers it is checked against (docs/domain.md, "The rules
 * a site check applies"). Each rule — its kind, policy text, source and verdict sentences —
 * is part of its layer's entry in the registry (core/layers.ts); client and server read the
 * same words from there.
 */
import { inSentenceEn, ruleLayer, type RuleId, type SiteCheckRule } from './layers.ts';
import { formatArea, M2_PER_MU, roundTo } from './units.ts';

export type { RuleId } from './layers.ts';
export type VerdictStatus = 'pass' | 'warn' | 'conflict';

/** Verdict statuses as the panel, the report page and the Excel export print them. */
export const STATUS_LABEL: Record<VerdictStatus, { zh: string; en: string }> = {
  pass: { zh: '通过', en: 'Pass' },
  warn: { zh: '提示', en: 'Attention' },
  conflict: { zh: '冲突', en: 'Conflict' },
};

export interface VerdictFigures {
  /** Overlap with the layer, m² (for an `inside` rule: the part inside). */
  overlapM2: number;
  /** For an `inside` rule: the part of the site outside it, m². */
  outsideM2?: number;
  siteM2: number;
  /**
   * The layer holds no features (never loaded, e.g. a layer added to a database seeded before
   * it): the rule cannot be judged, and the verdict says so instead of passing the site.
   */
  layerEmpty?: boolean;
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
  figures: Omit<VerdictFigures, 'layerEmpty'> & { quotaMu?: number; layerEmpty?: 1 };
}

/** Below this an overlap is a numerical sliver, not a finding (0.01 m²). */
export const OVERLAP_EPSILON_M2 = 0.01;

const mu = (m2: number) => m2 / M2_PER_MU;

/** A verdict sentence with its figures filled in. */
const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? `{${k}}`);

/** The status a rule of this kind gives a site that hits it. */
const HIT_STATUS: Record<SiteCheckRule['kind'], VerdictStatus> = { forbidden: 'conflict', permit: 'warn', inside: 'warn', quota: 'warn' };

/**
 * The verdict of one rule for a site, from its overlap figures; `format` writes the areas in
 * the messages (default formatArea; a public report gives rounded figures).
 */
export function judge(rule: RuleId, f: VerdictFigures, format: (m2: number, lang: 'zh' | 'en') => string = formatArea): Verdict {
  const layer = ruleLayer(rule);
  const r = layer.rule;
  const base = { rule, titleZh: layer.nameZh, titleEn: layer.nameEn, ruleTextZh: r.textZh, ruleTextEn: r.textEn };
  if (f.layerEmpty) {
    const { layerEmpty: _, ...rest } = f;
    return {
      ...base,
      status: 'warn',
      figures: { ...rest, layerEmpty: 1 },
      messageZh: `未载入${layer.nameZh}数据，本项未作判定，须另行核实。`,
      messageEn: `No data of ${inSentenceEn(layer)} is loaded: this rule was not judged and must be checked separately.`,
    };
  }
  const hit = r.kind === 'inside' ? (f.outsideM2 ?? 0) > OVERLAP_EPSILON_M2 : f.overlapM2 > OVERLAP_EPSILON_M2;
  const { layerEmpty: _empty, ...given } = f;
  const figures: Verdict['figures'] = { ...given };
  const words = (lang: 'zh' | 'en'): Record<string, string> => ({
    area: format(f.overlapM2, lang),
    inside: format(f.overlapM2, lang),
    outside: format(f.outsideM2 ?? 0, lang),
  });
  const zh = words('zh');
  const en = words('en');
  if (r.kind === 'quota') {
    // the quota is the area taken, printed as the area is (docs/domain.md, rule 5): rounded once,
    // from the same number, so 12.913 亩 taken reads 12.91 亩 in both places, never 12.92
    figures.quotaMu = hit ? roundTo(mu(f.overlapM2), 2) : 0;
    zh.quota = en.quota = figures.quotaMu.toFixed(2);
  }
  return hit
    ? { ...base, status: HIT_STATUS[r.kind], figures, messageZh: fill(r.hitZh, zh), messageEn: fill(r.hitEn, en) }
    : { ...base, status: 'pass', figures, messageZh: r.clearZh, messageEn: r.clearEn };
}
