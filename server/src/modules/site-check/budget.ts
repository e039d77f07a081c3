/**
 * What the public and enterprises may check in a day, and how long the public's checks are kept.
 *
 * A site check tells whether a site touches permanent farmland, general farmland and the red
 * line, and by how much: a script tiling an area with small sites could redraw those restricted
 * layers. Whatever the figures' precision, what a check can tell about farmland lies inside the
 * area it analyses, so the area analysed per subject and day bounds the farmland anyone can
 * reconstruct from checks. Each check not signed in as planner, auditor or admin adds its
 * analysed area (the site, widened by its buffer) to a daily budget per client address
 * (`ip:<address>`) and, for an enterprise, per account (`user:<id>`); one over budget is refused
 * with 429 SITE_CHECK_QUOTA before any overlay. Days are Beijing-time dates.
 *
 * The live preview (POST /api/site-checks/preview) tells the same figures as a check for the
 * layers the caller may not fetch, so it is budgeted the same way — by analysed area and count
 * per address and account — but in a budget of its own (subjects `preview:ip:…`,
 * `preview:user:…`): drawing a site asks for a preview at every edit, and previews must not use
 * up the checks a user files (nor count as filed checks). Its defaults are ten times the check
 * budget's area and ten times its count, and one preview covers at most the daily check area
 * (a site larger than the public may check is no site to preview); 429 SITE_PREVIEW_QUOTA beyond.
 */
import type { Database } from '../../db/database.ts';
import { AppError } from '../../plugins/errors.ts';
import { beijingToday } from '../cases/import.ts';
import { M2_PER_MU } from '../../../../core/units.ts';

export interface SiteCheckLimits {
  /** Site area (m², as analysed) each subject may check per day; default 1 km² (1 500 亩). */
  dailyAreaM2: number;
  /** Checks each subject may file per day; default 200. */
  dailyChecks: number;
  /** Days a check filed without a signed-in account is kept; default 7. */
  publicReportDays: number;
  /** How often lapsed public checks are purged, ms; default one hour (0: never on a timer). */
  purgeEveryMs: number;
  /** Analysed area (m²) each subject may preview per day; default 10 km² (15 000 亩). */
  previewDailyAreaM2: number;
  /** Previews each subject may ask for per day; default 2 000. */
  previewDailyCount: number;
}

export const DEFAULT_SITE_CHECK_LIMITS: SiteCheckLimits = {
  dailyAreaM2: 1_000_000,
  dailyChecks: 200,
  publicReportDays: 7,
  purgeEveryMs: 3_600_000,
  previewDailyAreaM2: 10_000_000,
  previewDailyCount: 2_000,
};

/**
 * The limits from SITE_CHECK_DAILY_AREA_KM2, SITE_CHECK_DAILY_CHECKS, SITE_CHECK_PUBLIC_DAYS,
 * SITE_PREVIEW_DAILY_AREA_KM2, SITE_PREVIEW_DAILY_COUNT (README, Configuration).
 */
export function siteCheckLimitsFromEnv(env: NodeJS.ProcessEnv): Partial<SiteCheckLimits> {
  const num = (name: string, integer: boolean): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
      throw new Error(`环境变量 ${name} 必须是非负${integer ? '整数' : '数'}，现为 “${raw}”`);
    }
    return n;
  };
  const km2 = num('SITE_CHECK_DAILY_AREA_KM2', false);
  const checks = num('SITE_CHECK_DAILY_CHECKS', true);
  const days = num('SITE_CHECK_PUBLIC_DAYS', false);
  const previewKm2 = num('SITE_PREVIEW_DAILY_AREA_KM2', false);
  const previews = num('SITE_PREVIEW_DAILY_COUNT', true);
  return {
    ...(previewKm2 !== undefined ? { previewDailyAreaM2: previewKm2 * 1e6 } : {}),
    ...(previews !== undefined ? { previewDailyCount: previews } : {}),
    ...(km2 !== undefined ? { dailyAreaM2: km2 * 1e6 } : {}),
    ...(checks !== undefined ? { dailyChecks: checks } : {}),
    ...(days !== undefined ? { publicReportDays: days } : {}),
  };
}

const mu = (m2: number) => (m2 / M2_PER_MU).toLocaleString('en', { maximumFractionDigits: 1 }).replace(/,/g, ' ');
const km2 = (m2: number) => (m2 / 1e6).toLocaleString('en', { maximumFractionDigits: 3 });

/** Midnight of the next Beijing-time day, as an instant. */
function nextBeijingMidnight(now: Date): Date {
  const day = beijingToday(now);
  return new Date(Date.parse(`${day}T00:00:00+08:00`) + 86_400_000);
}

/** 429 SITE_CHECK_QUOTA (SITE_PREVIEW_QUOTA for previews), with the seconds until the budget resets (for Retry-After). */
export class SiteCheckQuotaExceeded extends AppError {
  constructor(
    zh: string,
    en: string,
    readonly retryAfterS: number,
    code = 'SITE_CHECK_QUOTA',
  ) {
    super(429, code, zh, en);
  }
}

/** Which budget: filed checks, or live previews (a budget of its own, subjects prefixed `preview:`). */
export type BudgetKind = 'check' | 'preview';

class Refused extends Error {
  constructor(
    readonly subject: string,
    readonly used: { checks: number; areaM2: number },
  ) {
    super('over budget');
  }
}

export interface Charge {
  /** Gives the check's area and count back (a check that failed after being charged told nothing). */
  refund(): Promise<void>;
}

export class SiteCheckBudget {
  constructor(
    private readonly db: Database,
    readonly limits: SiteCheckLimits,
    readonly kind: BudgetKind = 'check',
  ) {}

  /** This budget's daily area and count. */
  private get caps(): { dailyAreaM2: number; dailyChecks: number } {
    return this.kind === 'preview'
      ? { dailyAreaM2: this.limits.previewDailyAreaM2, dailyChecks: this.limits.previewDailyCount }
      : { dailyAreaM2: this.limits.dailyAreaM2, dailyChecks: this.limits.dailyChecks };
  }

  /** The row a subject's use of this budget is kept in (a preview's own, beside the checks'). */
  private key = (subject: string): string => (this.kind === 'preview' ? `preview:${subject}` : subject);

  /**
   * Adds one check of `areaM2` to every subject's budget for today, or to none: each subject's
   * row is raised by one statement that only writes when the result stays within both limits,
   * all in one transaction, so parallel checks cannot overrun a budget. Throws
   * SiteCheckQuotaExceeded naming the budget, what is left and when it resets.
   */
  async charge(given: string[], areaM2: number, now = new Date()): Promise<Charge> {
    const day = beijingToday(now);
    const subjects = given.map(this.key);
    const { dailyAreaM2, dailyChecks } = this.caps;
    try {
      await this.db.transaction(async (tx) => {
        for (const subject of subjects) {
          const rows = await tx.query<{ checks: number }>(
            `INSERT INTO site_check_usage AS u (subject, day, checks, area_m2)
             SELECT $1, $2::date, 1, $3::float8 WHERE $3::float8 <= $4::float8 AND 1 <= $5::int
             ON CONFLICT (subject, day) DO UPDATE SET checks = u.checks + 1, area_m2 = u.area_m2 + EXCLUDED.area_m2
               WHERE u.area_m2 + EXCLUDED.area_m2 <= $4::float8 AND u.checks + 1 <= $5::int
             RETURNING u.checks`,
            [subject, day, areaM2, dailyAreaM2, dailyChecks],
          );
          if (!rows[0]) {
            const [used] = await tx.query<{ checks: number; area_m2: number }>(
              'SELECT checks, area_m2 FROM site_check_usage WHERE subject = $1 AND day = $2::date',
              [subject, day],
            );
            throw new Refused(subject, { checks: used?.checks ?? 0, areaM2: Number(used?.area_m2 ?? 0) });
          }
        }
      });
    } catch (err) {
      if (err instanceof Refused) throw this.refusal(err, areaM2, now);
      throw err;
    }
    return {
      refund: async () => {
        for (const subject of subjects) {
          await this.db.query(
            `UPDATE site_check_usage SET checks = greatest(checks - 1, 0), area_m2 = greatest(area_m2 - $3::float8, 0)
              WHERE subject = $1 AND day = $2::date`,
            [subject, day, areaM2],
          );
        }
      },
    };
  }

  private refusal(r: Refused, areaM2: number, now: Date): SiteCheckQuotaExceeded {
    const { dailyAreaM2, dailyChecks } = this.caps;
    const account = r.subject.includes('user:');
    const left = Math.max(0, dailyAreaM2 - r.used.areaM2);
    const checksLeft = Math.max(0, dailyChecks - r.used.checks);
    const reset = nextBeijingMidnight(now);
    const retryAfterS = Math.max(1, Math.ceil((reset.getTime() - now.getTime()) / 1000));
    const hours = Math.floor(retryAfterS / 3600);
    const minutes = Math.ceil((retryAfterS % 3600) / 60);
    const inZh = `${hours ? `${hours} 小时` : ''}${minutes} 分钟`;
    const inEn = `${hours ? `${hours} h ` : ''}${minutes} min`;
    const resetDay = beijingToday(reset);
    const why = checksLeft === 0 ? { zh: `今日 ${dailyChecks} 次已用完`, en: `all ${dailyChecks} checks of today are used` } : {
      zh: `本次选址 ${mu(areaM2)} 亩，超过今日剩余的 ${mu(left)} 亩`,
      en: `this site's ${mu(areaM2)} mu exceeds the ${mu(left)} mu left today`,
    };
    const where = { zh: `每个${account ? '账号' : '地址'}`, en: `each ${account ? 'account' : 'address'}` };
    const usedZh = `今日已用 ${mu(r.used.areaM2)} 亩、${r.used.checks} 次，剩余 ${mu(left)} 亩、${checksLeft} 次`;
    const usedEn = (noun: string) => `used today: ${mu(r.used.areaM2)} mu in ${r.used.checks} ${noun}; left: ${mu(left)} mu, ${checksLeft} ${noun}`;
    const resets = { zh: `额度于北京时间 ${resetDay} 0 时（约 ${inZh}后）重置。`, en: `The budget resets at 00:00 Beijing time on ${resetDay} (in about ${inEn}).` };
    if (this.kind === 'preview') {
      const whyP = checksLeft === 0 ? { zh: `今日 ${dailyChecks} 次预览已用完`, en: `all ${dailyChecks} previews of today are used` } : why;
      return new SiteCheckQuotaExceeded(
        `选址预览额度不足：未以规划人员身份登录时，${where.zh}每天可预览选址面积 ${mu(dailyAreaM2)} 亩（${km2(dailyAreaM2)} 平方千米）、${dailyChecks} 次；` +
          `${whyP.zh}（${usedZh}）。${resets.zh}预览不影响套核：仍可直接套核。`,
        `Site-preview budget exceeded: without signing in as a planner, ${where.en} may preview ${mu(dailyAreaM2)} mu (${km2(dailyAreaM2)} km²) of site area in ${dailyChecks} previews a day; ` +
          `${whyP.en} (${usedEn('previews')}). ${resets.en} Previews do not touch the check budget: the check itself can still be run.`,
        retryAfterS,
        'SITE_PREVIEW_QUOTA',
      );
    }
    return new SiteCheckQuotaExceeded(
      `选址套核额度不足：未以规划人员身份登录时，${where.zh}每天可套核选址面积 ${mu(dailyAreaM2)} 亩（${km2(dailyAreaM2)} 平方千米）、${dailyChecks} 次；` +
        `${why.zh}（${usedZh}）。` +
        `${resets.zh}规划人员请登录后套核，不受此限。`,
      `Site-check budget exceeded: without signing in as a planner, ${where.en} may check ${mu(dailyAreaM2)} mu (${km2(dailyAreaM2)} km²) of site area and ${dailyChecks} checks a day; ` +
        `${why.en} (${usedEn('checks')}). ` +
        `${resets.en} Planners: sign in to check without this limit.`,
      retryAfterS,
    );
  }

  /** Deletes up to `limit` lapsed public checks (the oldest first), and usage rows older than yesterday; returns the checks deleted. */
  async purge(limit = 1_000, now = new Date()): Promise<number> {
    const rows = await this.db.query<{ id: string }>(
      `DELETE FROM site_check WHERE id IN (
         SELECT id FROM site_check WHERE expires_at IS NOT NULL AND expires_at <= now() ORDER BY expires_at LIMIT $1::int)
       RETURNING id`,
      [limit],
    );
    await this.db.query('DELETE FROM site_check_usage WHERE day < $1::date', [beijingToday(new Date(now.getTime() - 86_400_000))]);
    return rows.length;
  }
}
