/**
 * An account's scope (工作范围) on the server: which counties a request may list, count, export
 * and read records of (docs/domain.md, "Scope").
 *
 * - The public and every account without a narrower scope see the province (410000).
 * - A filter is the county code's prefix (core/divisions.ts `scopePrefix`): `scopeFilter` adds
 *   `county_code LIKE '4108%'` to a query; at the province it adds nothing.
 * - A record named by id outside the caller's scope is refused with 403 `OUT_OF_SCOPE`, naming
 *   the record's division and the caller's.
 * - What a scope is called and where it lies on the map (`describeScope`) comes from the
 *   loaded counties, cached for a minute.
 */
import type { FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { HENAN_CITIES, PROVINCE, cityOf, inScope, isDivisionCode, scopeLevelOf, scopePrefix, scopeWithin, type ScopeLevel } from '../../../../core/divisions.ts';
import type { Queryable } from '../../db/database.ts';
import { AppError } from '../../plugins/errors.ts';

/** The scope a request works in: the account's, or the province for the public. */
export const scopeOf = (req: Pick<FastifyRequest, 'user'>): string => req.user?.scope ?? PROVINCE.code;

/**
 * The condition keeping a query to a scope's counties, `''` at the province. `params` is the
 * query's parameter list; the prefix is pushed onto it.
 *
 * @example scopeFilter('e.county_code', '410800', params) // "e.county_code LIKE $3" with '4108%' pushed
 */
export function scopeFilter(column: string, scope: string, params: unknown[]): string {
  const prefix = scopePrefix(scope);
  if (prefix === '41') return '';
  params.push(`${prefix}%`);
  return `${column} LIKE $${params.length}`;
}

/** A scope as a LIKE pattern of county codes, for SQL that always filters ('41%' at the province). */
export const scopePattern = (scope: string): string => `${scopePrefix(scope)}%`;

export interface ScopeInfo {
  code: string;
  level: ScopeLevel;
  name: string;
  nameEn: string;
  /** The scope's counties' extent as loaded, [west, south, east, north]; null when none is loaded. */
  bbox: [number, number, number, number] | null;
}

/** Per database (a process may hold several: tests, benchmarks); a county layer replaced shows within a minute. */
const described = new WeakMap<Queryable, LRUCache<string, ScopeInfo>>();

/** The name of a division and the extent of its loaded counties. */
export async function describeScope(db: Queryable, code: string): Promise<ScopeInfo> {
  let cache = described.get(db);
  if (!cache) described.set(db, (cache = new LRUCache<string, ScopeInfo>({ max: 500, ttl: 60_000 })));
  const hit = cache.get(code);
  if (hit) return hit;
  const params: unknown[] = [];
  const where = scopeFilter('code', code, params);
  const [row] = await db.query<{ west: number | null; south: number | null; east: number | null; north: number | null; name: string | null; name_en: string | null }>(
    `SELECT ST_XMin(e) AS west, ST_YMin(e) AS south, ST_XMax(e) AS east, ST_YMax(e) AS north,
            (SELECT name FROM admin_county WHERE code = $${params.length + 1}) AS name,
            (SELECT NULLIF(name_en, '') FROM admin_county WHERE code = $${params.length + 1}) AS name_en
       FROM (SELECT ST_Extent(geom) AS e FROM admin_county ${where ? `WHERE ${where}` : ''}) x`,
    [...params, code],
  );
  const level = scopeLevelOf(code);
  const city = HENAN_CITIES.find((c) => c.code === code);
  const name = level === 'province' ? PROVINCE.name : (city?.name ?? row?.name ?? code);
  const nameEn = level === 'province' ? PROVINCE.nameEn : (city?.nameEn ?? row?.name_en ?? row?.name ?? code);
  const bbox = row && row.west !== null ? ([row.west, row.south!, row.east!, row.north!] as ScopeInfo['bbox']) : null;
  const info: ScopeInfo = { code, level, name, nameEn, bbox };
  cache.set(code, info);
  return info;
}

/**
 * Checks a scope an administrator gives an account: a Henan division code — the province, one of
 * the eighteen cities, or a county loaded in admin_county — inside the administrator's own.
 */
export async function checkScopeGrant(db: Queryable, code: string, grantor: string): Promise<void> {
  const known =
    isDivisionCode(code) &&
    (code === PROVINCE.code ||
      HENAN_CITIES.some((c) => c.code === code) ||
      ((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM admin_county WHERE code = $1', [code]))[0]?.n ?? 0) > 0);
  if (!known) {
    throw new AppError(400, 'UNKNOWN_SCOPE', `工作范围“${code}”不是已知的行政区代码：应为 410000（全省）、地市代码（如 410800）或已载入的县级代码`, `The scope "${code}" is not a known division code: 410000 (the province), a city's code (e.g. 410800) or a loaded county's code`);
  }
  if (!scopeWithin(grantor, code)) {
    const g = await describeScope(db, grantor);
    throw new AppError(403, 'SCOPE_NOT_YOURS', `只能授予您自己工作范围（${g.name}）内的范围`, `You can only give a scope inside your own (${g.nameEn})`);
  }
}

/** Refuses a record of a county outside the caller's scope (403, naming both). */
export async function assertInScope(db: Queryable, req: Pick<FastifyRequest, 'user'>, countyCode: string, what: { zh: string; en: string }): Promise<void> {
  const scope = scopeOf(req);
  if (inScope(scope, countyCode)) return;
  const [mine, theirs] = await Promise.all([describeScope(db, scope), describeScope(db, cityOf(countyCode)?.code ?? countyCode)]);
  throw new AppError(
    403,
    'OUT_OF_SCOPE',
    `${what.zh}属${theirs.name}，不在您的工作范围（${mine.name}）内`,
    `This ${what.en} lies in ${theirs.nameEn}, outside your scope (${mine.nameEn})`,
  );
}
