/**
 * The provenance (来源) the parse route answers with, ready for the site check to take back:
 * the file's name and format, what the parser detected with no overrides and what it used,
 * the overrides, the warnings the planner saw, and the file's own coordinates.
 *
 * When the planner overrode the detection, the file is read a second time without the
 * overrides (the acceptance of an approximate datum kept: it changes no detection), so the
 * report says what the file itself declares — and, if the file cannot be read without them
 * (an ambiguous zone, say), why. The server reads it again rather than taking the client's
 * first answer: the report's "detected" is the server's word.
 */
import type { CrsReading, ProvenanceOverrides, SiteProvenance, SourceCoordinatesT } from '../../../../core/contracts/site-check.ts';
import { PROVENANCE_LIMITS } from '../../../../core/contracts/site-check.ts';
import { ParseError, type Detected, type ParseInput, type ParseOptions, type ParseResult, type SourceCoordinates } from '../../formats/parsers/index.ts';
import { parseUpload } from '../../http/upload.ts';
import { signProvenance } from './provenance-signature.ts';

/** The reading of a detection (format aside). */
export function crsReading(d: Detected): CrsReading {
  return {
    crs: d.crs,
    ...(d.epsg !== undefined ? { epsg: d.epsg } : {}),
    ...(d.crsName ? { crsName: d.crsName.slice(0, PROVENANCE_LIMITS.crs) } : {}),
    datum: d.datum ?? 'other',
    datumTransform: d.datumTransform ?? 'none',
    ...(d.datumAssumed ? { datumAssumed: true as const } : {}),
    ...(d.zone !== undefined ? { zone: d.zone } : {}),
    ...(d.zoneWidth !== undefined ? { zoneWidth: d.zoneWidth } : {}),
    axisOrder: d.axisOrder,
    ...(d.encoding ? { encoding: d.encoding } : {}),
  };
}

/** The query's overrides, as the planner chose them. */
export function overridesOf(
  q: { crs?: string; zone?: number; zoneWidth?: 3 | 6; axisOrder?: 'xy' | 'yx'; encoding?: string; acceptApproximateDatum?: unknown },
  options: ParseOptions,
): ProvenanceOverrides {
  const accept = options.acceptApproximateDatum ?? (q.acceptApproximateDatum === true || q.acceptApproximateDatum === 'true' || q.acceptApproximateDatum === '1');
  return {
    ...(q.crs ? { crs: q.crs } : {}),
    ...(q.zone !== undefined ? { zone: q.zone } : {}),
    ...(q.zoneWidth !== undefined ? { zoneWidth: q.zoneWidth } : {}),
    ...(q.axisOrder ? { axisOrder: q.axisOrder } : {}),
    ...(q.encoding ? { encoding: q.encoding as NonNullable<ProvenanceOverrides['encoding']> } : {}),
    ...(accept ? { acceptApproximateDatum: true } : {}),
  };
}

/** Whether the planner overrode any part of the detection (accepting an approximate datum is not one). */
export const overridesDetection = (o: ProvenanceOverrides) => o.crs !== undefined || o.zone !== undefined || o.zoneWidth !== undefined || o.axisOrder !== undefined || o.encoding !== undefined;

/** The source coordinates as the contract has them: [easting, northing] pairs, nothing else. */
function sourceOf(source: SourceCoordinates): SourceCoordinatesT {
  const ring = (r: number[][]) => r.map((p) => [p[0]!, p[1]!] as [number, number]);
  return {
    crs: source.crs.slice(0, PROVENANCE_LIMITS.crs),
    ...(source.epsg !== undefined ? { epsg: source.epsg } : {}),
    proj4: source.proj4,
    geometries: source.geometries.map((g) =>
      !g ? null : g.type === 'Polygon' ? { type: 'Polygon' as const, coordinates: g.coordinates.map(ring) } : { type: 'MultiPolygon' as const, coordinates: g.coordinates.map((p) => p.map(ring)) },
    ),
  };
}

const clip = (s: string) => s.slice(0, PROVENANCE_LIMITS.text);

/**
 * The provenance of a parse: `fileName` null for pasted text. With overrides, the file is read
 * again without them for the detection.
 */
export async function buildProvenance(args: {
  input: ParseInput;
  fileName: string | null;
  options: ParseOptions;
  overrides: ProvenanceOverrides;
  result: ParseResult;
}): Promise<SiteProvenance> {
  const { input, options, overrides, result } = args;
  let detected: CrsReading | null = crsReading(result.detected);
  let detectionRefused: SiteProvenance['detectionRefused'] = null;
  if (overridesDetection(overrides)) {
    const { crs: _c, axisOrder: _a, encoding: _e, ...plain } = options;
    try {
      detected = crsReading((await parseUpload(input, plain, 'site', false)).detected);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      detected = null;
      detectionRefused = { code: e.code, zh: clip(e.zh), en: clip(e.en) };
    }
  }
  const provenance: SiteProvenance = {
    fileName: args.fileName ? args.fileName.slice(0, PROVENANCE_LIMITS.fileName) : null,
    format: result.detected.format,
    detected,
    detectionRefused,
    confirmed: crsReading(result.detected),
    overrides,
    warnings: result.warnings.slice(0, PROVENANCE_LIMITS.warnings).map((w) => ({ code: w.code.slice(0, PROVENANCE_LIMITS.code), zh: clip(w.zh), en: clip(w.en) })),
    source: result.source ? sourceOf(result.source) : null,
    edited: false,
  };
  // signed for the placed features: the site check files it as verified only unchanged
  return signProvenance(provenance, result.features.features.map((f) => f.geometry));
}
