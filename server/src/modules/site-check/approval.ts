/**
 * A site check marked approved (批准, docs/domain.md "New construction land and its farmland
 * share"): the approval's number and date, recorded once in site_check_approval beside the
 * immutable check (migration 0022), with the figures the yearly farmland share counts — taken
 * from the check's own report, so the figure is the check's: the site's ellipsoidal area, its
 * permanent and general farmland overlaps, and the county holding the site's largest part.
 *
 * Refused: an unknown or lapsed check (404); a check already approved (409, naming the approval);
 * an approval dated after today or before the check was filed, Beijing days (422); a check that
 * is not a permanent report (a public one, which lapses) or that was measured with a buffer, whose
 * figures are of more than the site (422); a site in no county (422).
 */
import { beijingToday } from '../../../../core/beijing-time.ts';
import { ellipsoidalArea, type AreaGeometry } from '../../../../core/ellipsoidal-area.ts';
import { FARMLAND_LAYER_IDS } from '../../../../core/farmland-share.ts';
import { getLayer } from '../../../../core/layers.ts';
import { OVERLAP_EPSILON_M2 } from '../../../../core/rules.ts';
import { toAreaUnits } from '../../../../core/units.ts';
import type { SiteCheckApproval, SiteCheckApprovalRequest, SiteCheckReport } from '../../../../core/contracts/site-check.ts';
import type { Database, Queryable } from '../../db/database.ts';
import { AppError } from '../../plugins/errors.ts';
import { overlay } from './repo.ts';
import { isReportId } from './service.ts';

export interface Approver {
  id: number | null;
  name: string;
}

interface ApprovalRow {
  check_id: string;
  approval_no: string;
  approved_on: string;
  approver_name: string;
  created_at: Date | string;
  county_code: string;
  county_name: string | null;
  county_name_en: string | null;
  site_m2: number;
  permanent_farmland_m2: number;
  general_farmland_m2: number;
}

const APPROVAL_SELECT = `SELECT a.check_id, a.approval_no, a.approved_on::text AS approved_on, a.approver_name, a.created_at, a.county_code,
       c.name AS county_name, c.name_en AS county_name_en, a.site_m2, a.permanent_farmland_m2, a.general_farmland_m2
  FROM site_check_approval a LEFT JOIN admin_county c ON c.code = a.county_code`;

function toApproval(r: ApprovalRow): SiteCheckApproval {
  return {
    checkId: r.check_id,
    approvalNo: r.approval_no,
    approvedOn: r.approved_on,
    approverName: r.approver_name,
    recordedAt: new Date(r.created_at).toISOString(),
    countyCode: r.county_code,
    countyName: r.county_name ?? r.county_code,
    countyNameEn: r.county_name_en || r.county_name || r.county_code,
    newLand: toAreaUnits(Number(r.site_m2)),
    farmland: toAreaUnits(Number(r.permanent_farmland_m2) + Number(r.general_farmland_m2)),
  };
}

/** A check's approval, or null while it has none. */
export async function readApproval(db: Queryable, checkId: string): Promise<SiteCheckApproval | null> {
  const [row] = await db.query<ApprovalRow>(`${APPROVAL_SELECT} WHERE a.check_id = $1`, [checkId]);
  return row ? toApproval(row) : null;
}

const notFound = (id: string) => new AppError(404, 'REPORT_NOT_FOUND', `没有编号为 ${id} 的选址套核报告`, `No site-check report ${id}`);
const dateRefused = (zh: string, en: string) => new AppError(422, 'APPROVAL_DATE', zh, en);

/**
 * The county holding the largest part of the site, by the ellipsoidal area of the part in each
 * (the site check's measure; a lower code wins a tie); null when the site lies in none.
 */
export async function countyOfSite(db: Queryable, site: unknown): Promise<string | null> {
  const rows = await overlay(db, getLayer('admin-county')!, JSON.stringify(site), ['name']);
  let best: { code: string; m2: number } | null = null;
  for (const r of rows) {
    const m2 = ellipsoidalArea(JSON.parse(r.overlap) as AreaGeometry);
    if (m2 <= OVERLAP_EPSILON_M2) continue;
    if (!best || m2 > best.m2 || (m2 === best.m2 && r.code < best.code)) best = { code: r.code, m2 };
  }
  return best?.code ?? null;
}

/**
 * Records the approval of check `id` in one transaction with `onCommit` (the audit row); `today`
 * is the Beijing day approvals may not pass (the app's clock).
 */
export async function approveSiteCheck(
  db: Database,
  id: string,
  body: SiteCheckApprovalRequest,
  approver: Approver,
  opts: { today?: string; onCommit?: (tx: Queryable, approval: SiteCheckApproval) => Promise<void> } = {},
): Promise<SiteCheckApproval> {
  if (!isReportId(id)) throw new AppError(400, 'INVALID_ID', `报告编号格式不正确：“${id.slice(0, 40)}”`, `Malformed report id: "${id.slice(0, 40)}"`);
  const today = opts.today ?? beijingToday();
  return db.transaction(async (tx) => {
    const [check] = await tx.query<{ report: unknown; created_at: Date | string; expires_at: Date | string | null; lapsed: boolean }>(
      `SELECT report, created_at, expires_at, (expires_at IS NOT NULL AND expires_at <= now()) AS lapsed FROM site_check WHERE id = $1`,
      [id],
    );
    if (!check || check.lapsed) throw notFound(id);
    const existing = await readApproval(tx, id);
    if (existing) {
      throw new AppError(
        409,
        'ALREADY_APPROVED',
        `选址套核 ${id} 已于 ${existing.approvedOn} 批准（批准文号 ${existing.approvalNo}），批准只记录一次`,
        `Site check ${id} was approved on ${existing.approvedOn} (approval number ${existing.approvalNo}); an approval is recorded once`,
      );
    }
    if (check.expires_at !== null) {
      throw new AppError(
        422,
        'CHECK_NOT_PERMANENT',
        '这份套核是未登录时所做的，到期即删除，不能作为新增建设用地批准；请登录后重新套核',
        'This check was made without signing in and lapses; it cannot be approved as new construction land — sign in and check the site again',
      );
    }
    const report = (typeof check.report === 'string' ? JSON.parse(check.report) : check.report) as SiteCheckReport;
    if (report.bufferMeters > 0) {
      throw new AppError(
        422,
        'CHECK_BUFFERED',
        `这份套核带 ${report.bufferMeters} 米缓冲区，量算的是选址及其周边，不能作为新增建设用地批准；请不带缓冲区重新套核后批准`,
        `This check was made with a ${report.bufferMeters} m buffer: its figures are of the site and its surroundings, so it cannot be approved as new construction land; check the site without a buffer and approve that`,
      );
    }
    const filedOn = beijingToday(new Date(check.created_at));
    if (body.approvedOn > today) {
      throw dateRefused(`批准日期 ${body.approvedOn} 晚于今天（${today}）`, `The approval date ${body.approvedOn} is after today (${today})`);
    }
    if (body.approvedOn < filedOn) {
      throw dateRefused(
        `批准日期 ${body.approvedOn} 早于这份套核的日期（${filedOn}）：批准的是套核过的选址`,
        `The approval date ${body.approvedOn} is before the check was filed (${filedOn}): what is approved is the site as checked`,
      );
    }
    const county = await countyOfSite(tx, report.site.geometry);
    if (!county) {
      throw new AppError(422, 'SITE_OUTSIDE_COUNTIES', '选址不在任何县区内，无法计入县区的新增建设用地', 'The site lies in no county, so it cannot count as any county’s new construction land');
    }
    const overlapM2 = (layerId: string) => report.layers.find((l) => l.layerId === layerId)?.area.m2 ?? 0;
    const [permanent, general] = FARMLAND_LAYER_IDS.map(overlapM2) as [number, number];
    const inserted = await tx.query(
      `INSERT INTO site_check_approval (check_id, approval_no, approved_on, approver_id, approver_name, county_code, site_m2, permanent_farmland_m2, general_farmland_m2)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (check_id) DO NOTHING RETURNING check_id`,
      [id, body.approvalNo, body.approvedOn, approver.id, approver.name, county, report.site.area.m2, permanent, general],
    );
    // approved meanwhile by another request
    if (inserted.length === 0) {
      const other = await readApproval(tx, id);
      throw new AppError(409, 'ALREADY_APPROVED', `选址套核 ${id} 已批准（批准文号 ${other?.approvalNo ?? '—'}），批准只记录一次`, `Site check ${id} has been approved (approval number ${other?.approvalNo ?? '-'}); an approval is recorded once`);
    }
    const approval = (await readApproval(tx, id))!;
    await opts.onCommit?.(tx, approval);
    return approval;
  });
}
