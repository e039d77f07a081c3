/**
 * What the public and enterprises may see of a site check: whether the site touches each
 * restricted layer (permanent farmland, general farmland, the red line) and by how much,
 * rounded to 0.1 亩 — "your site touches about 3.2 亩 of permanent farmland: not approvable" —
 * with the verdicts, the stock-first record and the public layers in full; but no geometry,
 * feature list or feature count of a restricted layer, no share beyond the rounded area, and
 * not the trimmed site either, whose outline is the site less permanent farmland and the red
 * line (its loss is rounded like the layers' areas).
 */
import { maySeeLayer, type Role } from '../../../../core/access.ts';
import type { SiteCheckReport, SitePreviewResponse } from '../../../../core/contracts/site-check.ts';
import { getLayer } from '../../../../core/layers.ts';
import { judge, OVERLAP_EPSILON_M2, type RuleId } from '../../../../core/rules.ts';
import { formatCoarseArea, M2_PER_MU, MU_PER_HA, roundTo, type AreaUnits } from '../../../../core/units.ts';

/** The step (亩) the public's figures of restricted layers are rounded to. */
export const COARSE_STEP_MU = 0.1;

/**
 * An area rounded to the nearest step, at least one step when it is an overlap at all, and
 * never more than the whole steps within `capM2` (the analysed site): a public figure never
 * says more farmland than the site the check was asked for.
 */
export function coarseArea(m2: number, capM2: number, stepMu = COARSE_STEP_MU): AreaUnits {
  if (!(m2 > OVERLAP_EPSILON_M2)) return { m2: 0, ha: 0, mu: 0 };
  const stepM2 = stepMu * M2_PER_MU;
  const most = Math.floor(capM2 / stepM2 + 1e-9);
  const steps = Math.min(Math.max(1, Math.round(m2 / stepM2)), most);
  const mu = roundTo(steps * stepMu, 6);
  return { m2: mu * M2_PER_MU, ha: mu / MU_PER_HA, mu };
}

const sensitivityOf = (layerId: string) => getLayer(layerId)?.sensitivity ?? 'restricted';

/**
 * What trimming removed, as the reader's report prints its parts: where the filed figure is the sum
 * of the trimming layers' overlaps (every report filed since it is, site-check/service.ts), the sum
 * of those overlaps as this reader sees them — 约 0.1 + 约 0.1 亩 removes 0.2 亩, not a 0.3 rounded
 * on its own from 0.28 — at most the analysed site; otherwise the filed figure rounded alike.
 */
function removedArea(report: SiteCheckReport, shown: SiteCheckReport['layers'], analysedM2: number): AreaUnits {
  const trimming = (l: { layerId: string }) => getLayer(l.layerId)?.rule?.trims === true;
  const exact = report.layers.filter(trimming).reduce((sum, l) => sum + l.area.m2, 0);
  const lostM2 = report.trimmed.lost.m2;
  if (Math.abs(exact - lostM2) > 1e-9 * analysedM2 + 1e-6) return coarseArea(lostM2, analysedM2);
  const m2 = Math.min(analysedM2, shown.filter(trimming).reduce((sum, l) => sum + l.area.m2, 0));
  return { m2, ha: m2 / 10_000, mu: m2 / M2_PER_MU };
}

export function reportFor(report: SiteCheckReport, role: Role): SiteCheckReport {
  if (maySeeLayer(role, 'restricted')) return report;
  const analysedM2 = report.site.analysedArea.m2;
  const coarse = new Map<string, AreaUnits>();
  const layers = report.layers.map((l) => {
    if (maySeeLayer(role, sensitivityOf(l.layerId))) return l;
    const area = coarseArea(l.area.m2, analysedM2);
    coarse.set(l.layerId, area);
    return { ...l, count: null, area, shareOfSite: analysedM2 > 0 ? area.m2 / analysedM2 : 0, features: [], intersection: null };
  });
  const format = (m2: number, lang: 'zh' | 'en') => formatCoarseArea(m2 < (COARSE_STEP_MU * M2_PER_MU) / 2 ? 0 : m2, COARSE_STEP_MU, lang);
  const verdicts = report.verdicts.map((v) => {
    const area = coarse.get(v.rule);
    if (!area) return v;
    // the same finding, its figures and words from the rounded area
    const touches = v.status !== 'pass';
    const again = judge(
      v.rule as RuleId,
      { overlapM2: touches ? Math.max(area.m2, 2 * OVERLAP_EPSILON_M2) : 0, siteM2: v.figures.siteM2 ?? 0, layerEmpty: v.figures.layerEmpty === 1 },
      format,
    );
    return {
      ...v,
      messageZh: again.messageZh,
      messageEn: again.messageEn,
      figures: { ...(again.figures as unknown as Record<string, number>), overlapM2: area.m2 },
    };
  });
  const lost = removedArea(report, layers, analysedM2);
  const left = Math.max(0, analysedM2 - lost.m2);
  return {
    ...report,
    redacted: true,
    coarseAreaMu: COARSE_STEP_MU,
    layers,
    verdicts,
    trimmed: { geometry: null, area: { m2: left, ha: left / 10_000, mu: left / M2_PER_MU }, lost },
  };
}

/**
 * What a reader may see of a server-side preview: the same rounding as reportFor — a restricted
 * layer's overlap to COARSE_STEP_MU (capped by the analysed area) and no count — so a preview
 * never tells more than the filed check would. A preview carries no geometry at all.
 */
export function previewFor(preview: SitePreviewResponse, role: Role): SitePreviewResponse {
  if (maySeeLayer(role, 'restricted')) return preview;
  let coarsened = false;
  const layers = preview.layers.map((l) => {
    if (maySeeLayer(role, sensitivityOf(l.layerId))) return l;
    coarsened = true;
    return { ...l, count: null, m2: coarseArea(l.m2, preview.analysedM2).m2 };
  });
  return { ...preview, layers, ...(coarsened ? { coarseAreaMu: COARSE_STEP_MU } : {}) };
}
