/**
 * The 界址点坐标文件 of a filed site in the coordinate system it truly has (domain.md):
 *
 * - a site that came from a projected file, asked for in the file's own zone and prefix, is
 *   written from the file's own coordinates (the report's source coordinates, kept because they
 *   match the site within 1 mm) — the submitted numbers back, to the millimetre;
 * - a site that came from a Beijing 1954 / Xi'an 1980 file shifted with seven parameters stays
 *   on that datum in any zone (the source definition moved to the zone asked for);
 * - an approximate placement (a local or unknown datum taken as CGCS2000, the planner accepting
 *   it) is written from the numbers it was placed from: the GRS80 Gauss–Krüger projection in the
 *   file's zone gives them back; another zone on a local datum is the inverse on the local
 *   ellipsoid in the file's zone, then the forward in the zone asked for; an unknown datum has no
 *   ellipsoid to do that with (422). 坐标系= names the file's datum (its own name when unknown)
 *   and 位置说明= says it is approximate. `datum=cgcs2000` asks for CGCS2000 instead, which an
 *   approximate placement does not have (422);
 * - everything else is the full-precision CGCS2000 site projected into the zone asked for.
 *
 * The file's conventions are the writer's (server/src/formats/writers/boundary-points.ts): closed rings
 * numbered through the parcel, outer rings clockwise from the north-west point, 3 decimals,
 * the header area the plane area of the coordinates as written, CRLF.
 */
import proj4 from 'proj4';
import type { SiteCheckReport } from '../../../../core/contracts/site-check.ts';
import { fieldText, fileRing, planeAreaM2, type PlanePoint } from '../../formats/writers/boundary-points.ts';
import { gaussKrugerProj, type ZoneWidth } from '../../../../core/gauss-kruger.ts';
import {
  isPlainDrawn,
  BOUNDARY_POINTS_DATUM,
  CGCS2000_LONLAT,
  DATUM_LABEL,
  LOCAL_ELLIPSOID,
  isApproximate,
  sourceInZone,
  sourcePolygons,
  sourceZone,
  VERIFIED_TEXT,
} from '../../../../core/provenance.ts';
import { M2_PER_HA, roundTo } from '../../../../core/units.ts';
import { AppError } from '../../plugins/errors.ts';

export interface ZoneChoice {
  zone: number;
  zoneWidth: ZoneWidth;
  zonePrefix: boolean;
}

type Polygons = number[][][][];
const polygonsOf = (g: { type: string; coordinates: unknown }): Polygons => (g.type === 'Polygon' ? [g.coordinates as number[][][]] : (g.coordinates as Polygons));

/**
 * How the file's coordinates were got: `source` the file's own numbers; `source-datum` the
 * source definition moved to the zone asked for (a local datum shifted with seven parameters);
 * `placement` an approximate placement's numbers recovered by the projection it was placed
 * with (GRS80, the file's zone); `local-ellipsoid` those numbers taken to another zone on the
 * local ellipsoid (or lon/lat of a geographic local-datum file projected on it); `cgcs2000`
 * the CGCS2000 site projected.
 */
export type PointsFrom = 'source' | 'source-datum' | 'placement' | 'local-ellipsoid' | 'cgcs2000';

export interface SitePlane {
  /** [easting, northing] polygons, unrounded, in the site's ring order. */
  polygons: Polygons;
  datum: keyof typeof BOUNDARY_POINTS_DATUM | 'other';
  /** The 坐标系= value: the datum's, or the file's own name for a datum the product does not know. */
  datumName: string;
  from: PointsFrom;
  approximate: boolean;
  /** The report's provenance was not verified by the server (the file says so in 来源说明=). */
  unverified?: boolean;
}

const GRS80_LONLAT = '+proj=longlat +ellps=GRS80 +no_defs';

/** The Gauss–Krüger definition of a zone on an ellipsoid (proj4 parameters). */
const gkOn = (zone: ZoneChoice, ellipsoid: string) => gaussKrugerProj(zone).replace('+ellps=GRS80', ellipsoid);

/**
 * A 坐标系= value fit for one header line: the file's own name, without the zone the parser
 * appends to a Gauss–Krüger reading ("… (Gauss-Kruger 3-degree zone 38)").
 */
const headerText = (t: string) =>
  t
    .replace(/[\r\n]+/g, ' ')
    .replace(/\s*\(Gauss-Kruger \d-degree zone \d+\)$/, '')
    .trim()
    .slice(0, 100);

/**
 * The site's coordinates in a zone, on the datum it came on (or CGCS2000 when `datum` says so).
 * Refuses (422) CGCS2000 for an approximate placement: it has no CGCS2000 coordinates.
 */
export function sitePlane(report: SiteCheckReport, zone: ZoneChoice, datum: 'source' | 'cgcs2000' = 'source'): SitePlane {
  const p = report.provenance ?? null;
  const plane = placeSite(report, zone, datum);
  return p && !p.verification?.verified && !isPlainDrawn(p) ? { ...plane, unverified: true } : plane;
}

function placeSite(report: SiteCheckReport, zone: ZoneChoice, datum: 'source' | 'cgcs2000'): SitePlane {
  const p = report.provenance ?? null;
  const c = p?.confirmed ?? null;
  const source = p?.source ?? null;
  const approximate = isApproximate(p);
  const local = c && (c.datum === 'beijing54' || c.datum === 'xian80') ? c.datum : null;
  const unknown = approximate && c?.datum === 'other';
  const ownName = unknown ? headerText(c!.crsName ?? c!.crs) || DATUM_LABEL.other.zh : null;
  if (datum === 'cgcs2000' && approximate) {
    const name = local ? DATUM_LABEL[local] : unknown ? { zh: `“${ownName}”`, en: `"${ownName}"` } : { zh: '原坐标系', en: 'its own coordinate system' };
    throw new AppError(
      422,
      'DATUM_APPROXIMATE',
      `该选址来自${name.zh}文件，未经转换参数按近似位置放置，没有可导出的 2000 国家大地坐标；请改为导出原坐标系`,
      `The site came from a ${name.en} file placed approximately without shift parameters; it has no CGCS2000 coordinates to export — export its own datum (datum=source)`,
    );
  }
  const polygonsOfSite = () => polygonsOf(report.site.geometry);
  const project = (from: string, to: string, polygons: Polygons) => {
    const conv = proj4(from, to);
    return polygons.map((poly) => poly.map((ring) => ring.map((pos) => conv.forward([pos[0]!, pos[1]!]) as number[])));
  };

  if (approximate && (local || unknown)) {
    // placed approximately: the lon/lat are the file's numbers read as CGCS2000 Gauss–Krüger (or
    // lon/lat) — undone by the same projection on GRS80 in the file's zone
    const out = local ?? 'other';
    const datumName = local ? BOUNDARY_POINTS_DATUM[local] : ownName!;
    const sz = source ? sourceZone(source, c ?? {}) : undefined;
    const original: ZoneChoice | undefined = sz ?? (c?.zone !== undefined ? { zone: c.zone, zoneWidth: c.zoneWidth ?? 3, zonePrefix: false } : undefined);
    const sameZone = original && original.zone === zone.zone && original.zoneWidth === zone.zoneWidth;
    if (source && sz && sameZone && sz.zonePrefix === zone.zonePrefix) {
      return { polygons: sourcePolygons(source), datum: out, datumName, from: 'source', approximate };
    }
    if (sameZone) return { polygons: project(GRS80_LONLAT, gaussKrugerProj(zone), polygonsOfSite()), datum: out, datumName, from: 'placement', approximate };
    if (!local) {
      const where = original ? { zh: `原文件的 ${original.zone} 带（${original.zoneWidth}°带）`, en: `the file's own zone ${original.zone} (${original.zoneWidth}°)` } : { zh: '原文件的坐标', en: 'the file’s own coordinates' };
      throw new AppError(
        422,
        'DATUM_UNKNOWN',
        `该选址来自坐标系“${ownName}”的文件（大地基准无法识别），按近似位置放置：其椭球未知，无法换算到其他分带；只能导出${where.zh}`,
        `The site came from a file in "${ownName}" (a datum not recognised), placed approximately: its ellipsoid is unknown, so it cannot be taken to another zone — only ${where.en} can be exported`,
      );
    }
    const ellipsoid = LOCAL_ELLIPSOID[local];
    if (!original) {
      // a geographic local-datum file: the lon/lat are its geodetic coordinates
      return { polygons: project(GRS80_LONLAT, gkOn(zone, ellipsoid), polygonsOfSite()), datum: out, datumName, from: 'local-ellipsoid', approximate };
    }
    // the file's numbers in its zone, then inverse on the local ellipsoid there, forward in the zone asked
    const inOriginal = project(GRS80_LONLAT, gaussKrugerProj({ ...original, zonePrefix: false }), polygonsOfSite());
    return { polygons: project(gkOn({ ...original, zonePrefix: false }, ellipsoid), gkOn(zone, ellipsoid), inOriginal), datum: out, datumName, from: 'local-ellipsoid', approximate };
  }

  const out: keyof typeof BOUNDARY_POINTS_DATUM = local && datum === 'source' && source ? local : 'cgcs2000';
  const fileDatum = local ?? 'cgcs2000';
  const sz = source ? sourceZone(source, c ?? {}) : undefined;
  const base = { datum: out, datumName: BOUNDARY_POINTS_DATUM[out], approximate };
  if (source && sz && fileDatum === out && sz.zone === zone.zone && sz.zoneWidth === zone.zoneWidth && sz.zonePrefix === zone.zonePrefix) {
    return { ...base, polygons: sourcePolygons(source), from: 'source' };
  }
  if (out !== 'cgcs2000' && source) {
    // shifted with seven parameters: the source definition (ellipsoid and shift) in the zone asked for
    return { ...base, polygons: project(CGCS2000_LONLAT, sourceInZone(source, zone), polygonsOfSite()), from: 'source-datum' };
  }
  return { ...base, polygons: project(GRS80_LONLAT, gaussKrugerProj(zone), polygonsOfSite()), from: 'cgcs2000' };
}


/** One boundary point as the file and the report's table write it: J name, ring (圈号), X northing, Y easting (metres, unrounded). */
export interface BoundaryPoint {
  name: string;
  ring: number;
  x: number;
  y: number;
}

/**
 * The points of a site's 界址点 in the file's order and numbering (closed rings numbered through
 * the parcel, outer rings clockwise from the north-west point, a closing point repeating its
 * ring's first name) and the header's plane area in hectares: what the file writes and what the
 * report's 界址点坐标表 prints, one computation for both.
 */
export function boundaryPointRows(plane: SitePlane): { points: BoundaryPoint[]; areaHa: number | null } {
  const polygons: PlanePoint[][][] = [];
  for (const poly of plane.polygons) {
    const rings = poly.map((r, i) => fileRing(r.map((pos): PlanePoint => [pos[1]!, pos[0]!]), i === 0));
    if (!rings[0]?.length) continue;
    polygons.push(rings.filter((r) => r.length > 0));
  }
  if (!polygons.length) return { points: [], areaHa: null };
  const closed = polygons.flat().map((r) => [...r, r[0]!]);
  const points: BoundaryPoint[] = [];
  let n = 0;
  closed.forEach((ring, r) => {
    const firstName = n + 1;
    ring.forEach((q, i) => {
      const name = i === ring.length - 1 ? firstName : ++n;
      points.push({ name: `J${name}`, ring: r + 1, x: q[0], y: q[1] });
    });
  });
  return { points, areaHa: planeAreaM2(polygons) / M2_PER_HA };
}

/** The whole 界址点 file of a site (CRLF, ending in one). */
export function boundaryPointsFile(
  plane: SitePlane,
  zone: ZoneChoice,
  parcel: { code: string; name: string | null; use: string | null },
): string {
  const attrs = [
    '[属性描述]',
    `坐标系=${plane.datumName}`,
    `几度分带=${zone.zoneWidth}`,
    '投影类型=高斯克吕格',
    '计量单位=米',
    `带号=${zone.zone}`,
    '精度=0.001',
  ];
  if (plane.approximate) {
    attrs.push(
      plane.datum === 'cgcs2000'
        ? '位置说明=近似位置：原文件坐标系未经转换参数按 2000 国家大地坐标系近似放置，误差可达数十米'
        : `位置说明=套核时按近似位置放置：${plane.datumName}坐标未经转换参数，误差可达数十米；本文件坐标为原坐标系坐标`,
    );
  }
  if (plane.unverified) attrs.push(`来源说明=${VERIFIED_TEXT.unverified.zh}：坐标系与放置方式按套核请求所附来源信息填写`);
  const lines = [...attrs, '[地块坐标]'];
  const { points, areaHa } = boundaryPointRows(plane);
  if (points.length) {
    const ha = roundTo(areaHa!, 4).toFixed(4);
    lines.push([points.length, ha, fieldText(parcel.code) || '1', fieldText(parcel.name), '面', '', fieldText(parcel.use), '', '@'].join(','));
    for (const p of points) lines.push(`${p.name},${p.ring},${p.x.toFixed(3)},${p.y.toFixed(3)}`);
  }
  return lines.join('\r\n') + '\r\n';
}
