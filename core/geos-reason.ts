/**
 * GEOS's validity reasons (PostGIS `ST_IsValidReason`, e.g. "Self-intersection[114.42 34.64]")
 * in words a user reads, in both languages, with the place as longitude/latitude in degrees.
 * Nothing of GEOS's own text reaches a message in Chinese: a reason GEOS adds in a later
 * version is called 图形无效 / "not a valid polygon" rather than shown raw.
 */

export interface Bilingual {
  zh: string;
  en: string;
}

/** GEOS's reason kinds (geos/operation/valid/TopologyValidationError, IsValidOp). */
const KINDS: Record<string, Bilingual> = {
  'self-intersection': { zh: '边界自相交', en: 'the boundary crosses itself' },
  'ring self-intersection': { zh: '环自相交', en: 'a ring touches or crosses itself' },
  'too few points in geometry component': { zh: '某个环的点数过少（至少需要 4 个点）', en: 'a ring has too few points (at least 4 are needed)' },
  'too few points': { zh: '某个环的点数过少（至少需要 4 个点）', en: 'a ring has too few points (at least 4 are needed)' },
  'hole lies outside shell': { zh: '内环（洞）在外环之外', en: 'a hole lies outside its outer ring' },
  'nested holes': { zh: '内环（洞）相互嵌套', en: 'one hole lies inside another' },
  'interior is disconnected': { zh: '内部不连通（内环把面分割开）', en: 'the interior is split in two by its holes' },
  'nested shells': { zh: '多面中的一个外环在另一个外环之内', en: 'one part lies inside another part' },
  'duplicate rings': { zh: '有重复的环', en: 'a ring is repeated' },
  'invalid coordinate': { zh: '坐标无效（不是有限的数字）', en: 'a coordinate is not a finite number' },
  'ring is not closed': { zh: '环未闭合（首尾点不同）', en: 'a ring is not closed (its first and last points differ)' },
  'topology validation error': { zh: '拓扑无效', en: 'the topology is not valid' },
  'repeated point': { zh: '有重复的点', en: 'a point is repeated' },
  'invalid number of points in linearring found 3 - must be 0 or >= 4': { zh: '某个环的点数过少（至少需要 4 个点）', en: 'a ring has too few points (at least 4 are needed)' },
};

const UNKNOWN: Bilingual = { zh: '图形无效', en: 'the polygon is not valid' };

/** A place as longitude/latitude in degrees, 6 decimals (about 0.1 m), hemispheres named. */
export function formatLonLat(lon: number, lat: number): Bilingual {
  const ew = lon >= 0 ? { zh: '东经', en: 'E' } : { zh: '西经', en: 'W' };
  const ns = lat >= 0 ? { zh: '北纬', en: 'N' } : { zh: '南纬', en: 'S' };
  const a = Math.abs(lon).toFixed(6);
  const b = Math.abs(lat).toFixed(6);
  return { zh: `${ew.zh} ${a}°，${ns.zh} ${b}°`, en: `${a}°${ew.en}, ${b}°${ns.en}` };
}

export interface GeosReason {
  /** The reason kind as GEOS names it, without the place (for logs and codes). */
  kind: string;
  /** Whether the reason is a self-crossing of the boundary (of the shell or a ring). */
  selfIntersection: boolean;
  /** What is wrong, in words, without the place. */
  what: Bilingual;
  /** The place [lon, lat], from `location` or from the reason's own "[x y]". */
  at: [number, number] | null;
  /** What is wrong and where: "边界自相交（位置：东经 114.420000°，北纬 34.640000°）". */
  text: Bilingual;
}

/**
 * A GEOS reason in words. `location` (from `ST_IsValidDetail(...).location`) wins over the
 * "[x y]" GEOS writes after the kind.
 *
 * @example describeGeosReason('Self-intersection[114.42 34.64]').text.zh
 *   // '边界自相交（位置：东经 114.420000°，北纬 34.640000°）'
 */
export function describeGeosReason(reason: string | null | undefined, location?: readonly number[] | null): GeosReason {
  const raw = String(reason ?? '').trim();
  const m = /^(.*?)\s*\[([^\]]*)\]\s*$/.exec(raw);
  const kind = (m ? m[1]! : raw).trim();
  const fromReason = m ? m[2]!.trim().split(/[\s,]+/).slice(0, 2).map(Number) : null;
  const place = location && location.length >= 2 && location.every((v) => Number.isFinite(v)) ? location : fromReason && fromReason.length === 2 && fromReason.every(Number.isFinite) ? fromReason : null;
  const at: [number, number] | null = place ? [place[0]!, place[1]!] : null;
  const what = KINDS[kind.toLowerCase()] ?? UNKNOWN;
  const where = at ? formatLonLat(at[0], at[1]) : null;
  return {
    kind,
    selfIntersection: /self-intersection/i.test(kind),
    what,
    at,
    text: {
      zh: `${what.zh}${where ? `（位置：${where.zh}）` : ''}`,
      en: `${what.en}${where ? ` at ${where.en}` : ''}`,
    },
  };
}
