/**
 * How a stock parcel stands against the control lines, in figures and words only — what
 * enterprises and the public may read of the restricted layers (never their geometry).
 *
 * @example
 *   stockStanding({ areaM2: 20_000, status: '可供应', urbanBoundaryShare: 1, urbanBoundaryName: '开封市中心城区',
 *                   permanentFarmlandM2: 0, generalFarmlandM2: 0, ecoRedlineM2: 0 }).summaryZh
 *   // '位于城镇开发边界（开封市中心城区）内；占永久基本农田 0.00 亩，一般耕地 0.00 亩，生态保护红线 0.00 亩；可作为供地推荐。'
 */
import { STOCK_STATUS_EN, vocabularyEn } from './vocabulary.ts';
import { OVERLAP_EPSILON_M2 } from './rules.ts';
import { M2_PER_MU, roundTo, toAreaUnits, type AreaUnits } from './units.ts';

export interface StandingFigures {
  areaM2: number;
  status: string;
  urbanBoundaryShare: number;
  urbanBoundaryName: string | null;
  permanentFarmlandM2: number;
  generalFarmlandM2: number;
  ecoRedlineM2: number;
}

export interface StockStanding {
  urbanBoundary: { share: number; inside: boolean; name: string | null };
  permanentFarmland: AreaUnits;
  generalFarmland: AreaUnits;
  ecoRedline: AreaUnits;
  conflict: boolean;
  proposable: boolean;
  summaryZh: string;
  summaryEn: string;
}

const muText = (m2: number) => roundTo(m2 / M2_PER_MU, 2).toFixed(2);

export function stockStanding(f: StandingFigures): StockStanding {
  const outsideM2 = Math.max(0, (1 - f.urbanBoundaryShare) * f.areaM2);
  const inside = outsideM2 <= OVERLAP_EPSILON_M2;
  const partly = !inside && f.urbanBoundaryShare > 0;
  const conflict = f.permanentFarmlandM2 > OVERLAP_EPSILON_M2 || f.ecoRedlineM2 > OVERLAP_EPSILON_M2;
  const proposable = f.status === '可供应' && !conflict;
  const name = f.urbanBoundaryName;
  const pct = roundTo(f.urbanBoundaryShare * 100, 1);

  const udbZh = inside
    ? `位于城镇开发边界${name ? `（${name}）` : ''}内`
    : partly
      ? `${pct}% 位于城镇开发边界${name ? `（${name}）` : ''}内，边界外 ${muText(outsideM2)} 亩`
      : '位于城镇开发边界外';
  // the English sentence does not carry the boundary's Chinese name (the page shows it as data)
  const udbEn = inside
    ? 'inside the urban development boundary'
    : partly
      ? `${pct}% inside the urban development boundary, ${muText(outsideM2)} mu outside`
      : 'outside the urban development boundary';
  const verdictZh = proposable
    ? '可作为供地推荐'
    : conflict
      ? '与永久基本农田或生态保护红线冲突，不作为供地推荐'
      : `供应状态为${f.status}，不作为供地推荐`;
  const verdictEn = proposable
    ? 'can be proposed for supply'
    : conflict
      ? 'conflicts with permanent farmland or the red line: not proposed for supply'
      : `status ${(vocabularyEn(STOCK_STATUS_EN, f.status) ?? f.status).toLowerCase()}: not proposed for supply`;

  return {
    urbanBoundary: { share: f.urbanBoundaryShare, inside, name },
    permanentFarmland: toAreaUnits(f.permanentFarmlandM2),
    generalFarmland: toAreaUnits(f.generalFarmlandM2),
    ecoRedline: toAreaUnits(f.ecoRedlineM2),
    conflict,
    proposable,
    summaryZh:
      `${udbZh}；占永久基本农田 ${muText(f.permanentFarmlandM2)} 亩，一般耕地 ${muText(f.generalFarmlandM2)} 亩，` +
      `生态保护红线 ${muText(f.ecoRedlineM2)} 亩；${verdictZh}。`,
    summaryEn:
      `${udbEn[0]!.toUpperCase()}${udbEn.slice(1)}; ${muText(f.permanentFarmlandM2)} mu of permanent farmland, ` +
      `${muText(f.generalFarmlandM2)} mu of general farmland, ${muText(f.ecoRedlineM2)} mu of the ecological red line; ${verdictEn}.`,
  };
}
