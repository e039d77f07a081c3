/**
 * The demo's approved site checks (docs/domain.md, "New construction land and its farmland
 * share"): a few new construction sites a year over 2021–2026, each filed as a planner's site
 * check and, some weeks later, approved — so the yearly farmland-share figure has something to
 * show. Pure: the loader (server/src/seed/site-approvals.ts) measures the candidate sites against
 * the generated layers, and files and approves the chosen ones through the app's own site check
 * and approval.
 *
 * - Candidates are rectangles of 120–300 m a side on the edge of a general-farmland field (part of
 *   the site on the field) or inside a town (no farmland); the loader keeps those that lie in one
 *   county and take no permanent farmland and no red line — an ordinary project's site.
 * - Each year about two thirds of the counties approve one site (more where candidates abound), a
 *   bit more than half of them taking some general farmland — part of a field, up to 85 % of the
 *   site —; sites never overlap one another.
 * - A site is filed on a day of the year and approved 7–60 days later; one whose approval would
 *   fall after the history's end is left filed, not approved (the demo's pending checks).
 * - Ids are derived from the seed and what is filed, so the same seed files the same checks.
 */
import { createHash } from 'node:crypto';
import type { PlannedUse } from '../../core/stock-match.ts';
import type { NewLandReasonCode } from '../../core/stock-first.ts';
import type { Rng } from './rng.ts';

/** [minLon, minLat, maxLon, maxLat] in EPSG:4490. */
export type Box = [number, number, number, number];

export interface CandidateSite {
  box: Box;
  countyCode: string;
  /** The part of the site on general farmland, 0–1 (as the loader measured it). */
  farmlandShare: number;
}

export interface PlannedCheck {
  id: string;
  name: string;
  use: PlannedUse;
  reason: NewLandReasonCode;
  geometry: { type: 'Polygon'; coordinates: number[][][] };
  countyCode: string;
  /** When the check is filed (ISO instant, Beijing office hours). */
  filedAt: string;
  /** The approval, or null for a check left pending. */
  approval: { approvalNo: string; approvedOn: string } | null;
}

/** Metres per degree near 34.7° N (the candidates' size only: the checks measure the sites exactly). */
const M_PER_DEG_LON = 91_500;
const M_PER_DEG_LAT = 110_950;

/**
 * Candidate rectangles: `n` on the edges of general-farmland fields, `n / 2` inside towns (the
 * urban development boundary's boxes; the loader keeps those really inside).
 */
export function candidateBoxes(fields: readonly Box[], towns: readonly Box[], rng: Rng, n: number): Box[] {
  const size = (): [number, number] => [rng.int(120, 300) / M_PER_DEG_LON, rng.int(120, 300) / M_PER_DEG_LAT];
  const out: Box[] = [];
  for (let i = 0; i < n && fields.length; i++) {
    const [x0, y0, x1, y1] = rng.pick(fields);
    const [w, h] = size();
    // on one side of the field, sliding along it, reaching a third to two thirds onto it
    const side = rng.int(0, 3);
    const along = rng.next();
    const onto = rng.range(1 / 3, 2 / 3);
    let cx: number;
    let cy: number;
    if (side < 2) {
      cx = side === 0 ? x0 + w * (onto - 0.5) : x1 - w * (onto - 0.5);
      cy = y0 + along * (y1 - y0);
    } else {
      cx = x0 + along * (x1 - x0);
      cy = side === 2 ? y0 + h * (onto - 0.5) : y1 - h * (onto - 0.5);
    }
    out.push([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]);
  }
  for (let i = 0; i < Math.ceil(n / 2) && towns.length; i++) {
    const [x0, y0, x1, y1] = rng.pick(towns);
    const [w, h] = size();
    const cx = rng.range(x0, x1);
    const cy = rng.range(y0, y1);
    out.push([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]);
  }
  return out;
}

const round7 = (v: number) => Math.round(v * 1e7) / 1e7;
const polygonOf = ([x0, y0, x1, y1]: Box): PlannedCheck['geometry'] => {
  const [a, b, c, d] = [round7(x0), round7(y0), round7(x1), round7(y1)];
  return { type: 'Polygon', coordinates: [[[a, b], [c, b], [c, d], [a, d], [a, b]]] };
};
const meets = (p: Box, q: Box) => p[0] < q[2] && q[0] < p[2] && p[1] < q[3] && q[1] < p[3];

/** A UUID (version 4 form) from a text: the same seed names the same check. */
export function seededUuid(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const PROJECTS: Record<PlannedUse, readonly string[]> = {
  工业: ['智能装备产业园', '新材料产业园标准化厂房', '食品加工产业园', '汽车零部件生产基地', '纺织服装产业园', '农机装备制造项目'],
  仓储: ['冷链物流园', '商贸物流仓储中心', '农产品仓储配送中心'],
  商业: ['商贸综合体', '农贸市场新建工程'],
  商务: ['电子商务产业园'],
  住宅: ['安置社区', '保障性住房项目'],
  公共管理与公共服务: ['中学新建工程', '污水处理厂扩建工程', '乡镇卫生院迁建工程', '职业技术学校新校区'],
};
const USES: readonly (readonly [PlannedUse, number])[] = [['工业', 6], ['仓储', 2], ['公共管理与公共服务', 3], ['住宅', 1], ['商业', 1], ['商务', 1]];
const REASONS: readonly (readonly [NewLandReasonCode, number])[] = [['location', 5], ['area', 3], ['use', 2]];

const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function planSiteApprovals(
  candidates: readonly CandidateSite[],
  counties: readonly { code: string; name: string }[],
  rng: Rng,
  opts: { seed: number; scale: string; years: readonly number[]; end: string },
): PlannedCheck[] {
  const byCounty = new Map<string, { farmland: CandidateSite[]; none: CandidateSite[] }>();
  for (const c of candidates) {
    const e = byCounty.get(c.countyCode) ?? { farmland: [], none: [] };
    // a site takes part of a field, not a whole field (a site wholly on farmland is no town's edge)
    if (c.farmlandShare > 0.02 && c.farmlandShare <= 0.85) e.farmland.push(c);
    else if (c.farmlandShare <= 0.02) e.none.push(c);
    byCounty.set(c.countyCode, e);
  }
  const name = new Map(counties.map((c) => [c.code, c.name]));
  const taken: Box[] = [];
  const planned: PlannedCheck[] = [];
  // the approval numbers of each year, in order
  const numbers = new Map<string, number>();
  const approvalNo = (day: string) => {
    const y = day.slice(0, 4);
    const next = (numbers.get(y) ?? rng.int(8, 30)) + rng.int(1, 6);
    numbers.set(y, next);
    return `豫政土〔${y}〕${next}号`;
  };
  for (const year of opts.years) {
    // about two thirds of the counties a year, in a new order each year
    const order = counties.map((c) => [c.code, rng.next()] as const).sort((a, b) => a[1] - b[1]).map(([c]) => c);
    const these = order.slice(0, Math.max(1, Math.round(order.length * 0.7)));
    for (const county of these) {
      const pool = byCounty.get(county);
      if (!pool) continue;
      // a county with many candidates (the large rural ones) sometimes approves two sites
      const sites = pool.farmland.length + pool.none.length > 60 && rng.chance(0.35) ? 2 : 1;
      for (let k = 0; k < sites; k++) {
        const list = rng.chance(0.55) && pool.farmland.length ? pool.farmland : pool.none.length ? pool.none : pool.farmland;
        let site: CandidateSite | undefined;
        for (let tries = 0; tries < 20 && list.length; tries++) {
          const i = rng.int(0, list.length - 1);
          const c = list[i]!;
          list.splice(i, 1);
          if (taken.some((t) => meets(t, c.box))) continue;
          site = c;
          break;
        }
        if (!site) continue;
        taken.push(site.box);
        const use = rng.weighted(USES);
        const filed = Date.parse(`${year}-01-04T00:00:00Z`) + rng.int(0, 330) * DAY + rng.int(1, 8) * 3600_000; // 08:00–16:00 in Beijing
        const filedOn = dayOf(filed + 8 * 3600_000);
        if (filedOn > opts.end) continue;
        const approvedOn = dayOf(Date.parse(`${filedOn}T00:00:00Z`) + rng.int(7, 60) * DAY);
        const check = {
          name: `${name.get(county) ?? county}${rng.pick(PROJECTS[use])}`,
          use,
          reason: rng.weighted(REASONS),
          geometry: polygonOf(site.box),
          countyCode: county,
          filedAt: new Date(filed).toISOString(),
        };
        planned.push({
          // named by what is filed: a plan that changes files other checks, never another check under this id
          id: seededUuid(`yizhangtu:site-approval:${opts.scale}:${opts.seed}:${JSON.stringify(check)}`),
          ...check,
          approval: approvedOn <= opts.end ? { approvalNo: '', approvedOn } : null,
        });
      }
    }
  }
  // numbered in the order of approval, each year from its own start
  const approved = planned.filter((p) => p.approval).sort((a, b) => a.approval!.approvedOn.localeCompare(b.approval!.approvedOn) || a.filedAt.localeCompare(b.filedAt));
  for (const p of approved) p.approval!.approvalNo = approvalNo(p.approval!.approvedOn);
  return planned.sort((a, b) => a.filedAt.localeCompare(b.filedAt));
}
