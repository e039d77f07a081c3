/**
 * From raw records to placed ones, for every streaming reader: the coordinate system is decided
 * once — from the file's declaration, the user's options and the first features, by the same rules
 * as a whole-file parse (parsers/placement.ts) — and every feature is then converted with that one
 * transform. A feature that does not fit (numbers of another kind, another zone, coordinates that
 * do not convert) becomes a record with a `problem`; the rest of the file reads on.
 *
 * @example const placed = await placeStream(records(), { format: 'shapefile', declared, options, warnings })
 */
import type { DeclaredCrs } from '../parsers/crs.ts';
import { ParseError, warn } from '../parsers/errors.ts';
import { kindOfPair, planPlacement, type CoordinateKind, type PlacementPlan } from '../parsers/placement.ts';
import { GIS_ORDER } from '../parsers/raw.ts';
import type { DetectedEncoding, ParseOptions, ParseWarning, RawFeature, RawPolygons, SiteFormat, SiteProperties } from '../parsers/types.ts';
import { SAMPLE_SIZE, type LayerDetected, type LayerFileFormat, type LayerRecord, type RecordProblem } from './types.ts';

/** A record as a format reader gives it: attributes and raw coordinates (null when there are none to place). */
export interface RawRecord {
  row: number;
  properties: SiteProperties;
  polygons: RawPolygons | null;
  problem?: RecordProblem;
}

/** What a format reader opens: the file's declaration and attribute layout, and its records in order. */
export interface LayerSource {
  declared?: DeclaredCrs;
  encoding?: DetectedEncoding;
  warnings: ParseWarning[];
  /** The attribute names when the format lists them (a .dbf, a table); else taken from the sample. */
  fieldNames?: string[];
  records: AsyncGenerator<RawRecord>;
  bytesTotal: number;
  bytesRead(): number;
  close(): Promise<void>;
}


export interface PlaceStreamContext {
  format: LayerFileFormat;
  declared?: DeclaredCrs;
  encoding?: DetectedEncoding;
  options: ParseOptions;
  warnings: ParseWarning[];
}

export interface PlacedStream {
  detected: LayerDetected;
  sample: SiteProperties[];
  records: AsyncGenerator<LayerRecord>;
}

/** Records read ahead when the first ones have no geometry, before the file is judged to have none. */
const MAX_LOOKAHEAD = 10_000;

export const problem = (code: string, zh: string, en: string): RecordProblem => ({ code, zh, en });

/** The kind of all of a feature's numbers, or a problem when they are not numbers or not of one kind. */
function kindOfFeature(polygons: RawPolygons): CoordinateKind | RecordProblem {
  let kind: CoordinateKind | undefined;
  for (const poly of polygons) for (const ring of poly) for (const p of ring) {
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) return problem('COORD_NOT_NUMBER', `坐标中有不是数字的值：(${p[0]}, ${p[1]})`, `A coordinate is not a number: (${p[0]}, ${p[1]})`);
    const k = kindOfPair(p);
    if (!k) return problem('COORD_UNKNOWN_SYSTEM', `坐标 (${p[0]}, ${p[1]}) 既不像经纬度，也不像高斯-克吕格平面坐标`, `Coordinate (${p[0]}, ${p[1]}) looks neither like lon/lat nor like Gauss–Krüger metres`);
    if (kind && k !== kind) return problem('COORD_MIXED', '同一要素中既有经纬度又有平面坐标', 'The feature mixes lon/lat and projected metres');
    kind = k;
  }
  return kind ?? problem('EMPTY_GEOMETRY', '要素没有坐标', 'The feature has no coordinates');
}

const atRow = (row: number, p: RecordProblem): RecordProblem => ({ code: p.code, zh: `第 ${row} 个要素：${p.zh}`, en: `Feature ${row}: ${p.en}` });

/**
 * Reads the first features of `source`, decides the placement on them, and returns the detection
 * and a generator of all records (the first ones again, then the rest) placed with it. A ParseError
 * when the file as a whole cannot be placed (ZONE_AMBIGUOUS, DATUM_NEEDS_TRANSFORM …) or holds no
 * polygon at all.
 */
export async function placeStream(source: AsyncGenerator<RawRecord>, ctx: PlaceStreamContext): Promise<PlacedStream> {
  const head: RawRecord[] = [];
  let withGeometry = 0;
  let ended = false;
  while (head.length < SAMPLE_SIZE || (withGeometry === 0 && head.length < MAX_LOOKAHEAD)) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    if (next.value.polygons && !next.value.problem) withGeometry++;
  }
  const sample = head.slice(0, SAMPLE_SIZE).map((r) => r.properties);
  if (withGeometry === 0) {
    const first = head.find((r) => r.problem)?.problem;
    throw new ParseError(
      'NO_FEATURES',
      `文件的${ended ? '' : `前 ${head.length} 个`}要素中没有可读取的面${first ? `（如：${first.zh}）` : ''}`,
      `${ended ? 'The file holds' : `The first ${head.length} features of the file hold`} no readable polygon${first ? ` (e.g. ${first.en})` : ''}`,
    );
  }

  // the kind of numbers most of the first features have; features of the other kind are problems, not the file's system
  const kinds = new Map<RawRecord, CoordinateKind>();
  const count: Record<CoordinateKind, number> = { geographic: 0, projected: 0 };
  for (const r of head) {
    if (!r.polygons || r.problem) continue;
    const k = kindOfFeature(r.polygons);
    if (typeof k === 'string') {
      kinds.set(r, k);
      count[k]++;
    } else r.problem = k;
  }
  const kind: CoordinateKind = count.projected > count.geographic ? 'projected' : 'geographic';
  const basis: RawFeature[] = head.filter((r) => kinds.get(r) === kind).map((r) => ({ properties: r.properties, polygons: r.polygons! }));
  if (basis.length === 0) {
    const first = head.find((r) => r.problem)!.problem!;
    throw new ParseError('NO_FEATURES', `文件的前 ${head.length} 个要素中没有可读取的坐标（如：${first.zh}）`, `The first ${head.length} features of the file have no readable coordinates (e.g. ${first.en})`);
  }
  const plan: PlacementPlan = planPlacement(basis, {
    format: (ctx.format === 'shapefile' ? 'shapefile' : 'geojson') satisfies SiteFormat,
    naturalOrder: GIS_ORDER,
    orderIsConvention: true,
    ...(ctx.declared ? { declared: ctx.declared } : {}),
    options: ctx.options,
    warnings: ctx.warnings,
  });
  if (count.geographic > 0 && count.projected > 0) {
    const other = kind === 'geographic' ? count.projected : count.geographic;
    ctx.warnings.push(
      warn(
        'COORD_MIXED_FEATURES',
        `文件前 ${head.length} 个要素中有 ${other} 个的坐标与其余的不是同一种（${kind === 'geographic' ? '其余为经纬度' : '其余为平面坐标'}），这些要素未读取`,
        `${other} of the first ${head.length} features have coordinates of another kind than the rest (${kind === 'geographic' ? 'lon/lat' : 'projected metres'}); they are not read`,
      ),
    );
  }

  const placeOne = (r: RawRecord): LayerRecord => {
    if (r.problem || !r.polygons) {
      return { row: r.row, properties: r.properties, geometry: null, problem: atRow(r.row, r.problem ?? problem('EMPTY_GEOMETRY', '要素没有几何', 'The feature has no geometry')) };
    }
    const f: RawFeature = { properties: r.properties, polygons: r.polygons };
    try {
      plan.check(f);
      return { row: r.row, properties: r.properties, geometry: plan.place(f, false).geometry };
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      return { row: r.row, properties: r.properties, geometry: null, problem: atRow(r.row, problem(e.code, e.zh, e.en)) };
    }
  };

  async function* records(): AsyncGenerator<LayerRecord> {
    try {
      while (head.length > 0) yield placeOne(head.shift()!);
      for (let next = await source.next(); !next.done; next = await source.next()) yield placeOne(next.value);
    } finally {
      await source.return(undefined);
    }
  }

  const detected: LayerDetected = {
    format: ctx.format,
    crs: plan.crs,
    ...(plan.zone !== undefined ? { zone: plan.zone } : {}),
    ...(plan.zoneWidth !== undefined ? { zoneWidth: plan.zoneWidth } : {}),
    axisOrder: plan.axisOrder,
    ...(ctx.encoding ? { encoding: ctx.encoding } : {}),
    datum: plan.datum,
    ...(plan.epsg !== undefined ? { epsg: plan.epsg } : {}),
    ...(plan.crsName ? { crsName: plan.crsName } : {}),
    datumTransform: plan.datumTransform,
    ...(plan.datumAssumed ? { datumAssumed: true as const } : {}),
  };
  return { detected, sample, records: records() };
}
