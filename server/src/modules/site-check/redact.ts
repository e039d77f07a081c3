/**
 * What the public and enterprises may see of a site check: areas, shares, verdicts and the
 * stock-first record, but no geometry and no feature list of a restricted layer — and not the
 * trimmed site either, whose outline is the site less permanent farmland and the red line.
 */
import { maySeeLayer, type Role } from '../../../../core/access.ts';
import type { SiteCheckReport } from '../../../../core/contracts/site-check.ts';
import { getLayer } from '../../../../core/layers.ts';

export function reportFor(report: SiteCheckReport, role: Role): SiteCheckReport {
  if (maySeeLayer(role, 'restricted')) return report;
  return {
    ...report,
    redacted: true,
    layers: report.layers.map((l) =>
      maySeeLayer(role, getLayer(l.layerId)?.sensitivity ?? 'restricted') ? l : { ...l, features: [], intersection: null },
    ),
    trimmed: { ...report.trimmed, geometry: null },
  };
}
