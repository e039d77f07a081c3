/**
 * The 界址点坐标文件 of a filed site in the coordinate system it truly has (domain.md):
 *
 * - a site that came from a projected file, asked for in the file's own zone and prefix, is
 *   written from the file's own coordinates (the report's source coordinates, kept because they
 *   match the site within 1 mm) — the submitted numbers back, to the millimetre;
 * - a site that came from a Beijing 1954 / Xi'an 1980 file stays on that datum in any zone
 *   (the placement's own definition, moved to the zone asked for), named so in 坐标系=; an
 *   approximate placement says so (位置说明=). `datum=cgcs2000` asks for CGCS2000 instead,
 *   which only a site shifted with seven parameters has;
 * - everything else is the full-precision CGCS2000 site projected into the zone asked for.
 *
 * The file's conventions are the writer's (core/boundary-points-writer.ts): closed rings
 * numbered through the parcel, outer rings clockwise from the north-west point, 3 decimals,
 * the header area the plane area of the coordinates as written, CRLF.
 */
import proj4 from 'proj4';
import type { SiteCheckReport } from '../../../../core/contracts/site-check.ts';
import { fieldText, planeAreaM2, type PlanePoint } from '../../../../core/boundary-points-writer.ts';
import { gaussKrugerProj, type ZoneWidth } from '../../../../core/gauss-kruger.ts';
import {
  BOUNDARY_POINTS_DATUM,
  CGCS2000_LONLAT,
  DATUM_LABEL,
  LOCAL_ELLIPSOID,
  isApproximate,
  sourceInZone,
  sourcePolygons,
  sourceZone,
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

/** How the file's coordinates were got. */
export type PointsFrom = 'source' | 'source-datum' | 'local-ellipsoid' | 'cgcs2000';

export interface SitePlane {
  /** [easting, northing] polygons, unrounded, in the site's ring order. */
  polygons: Polygons;
  datum: keyof typeof BOUNDARY_POINTS_DATUM;
  from: PointsFrom;
  approximate: boolean;
}

/**
 * The site's coordinates in a zone, on the datum it came on (or CGCS2000 when `datum` says so).
 * Refuses (422) CGCS2000 for an approximate placement: it has no CGCS2000 coordinates.
 */
export function sitePlane(report: SiteCheckReport, zone: ZoneChoice, datum: 'source' | 'cgcs2000' = 'source'): SitePlane {
  const p = report.provenance ?? null;
  const c = p?.confirmed ?? null;
  const source = p?.source ?? null;
  const approximate = isApproximate(p);
  const local = c && (c.datum === 'beijing54' || c.datum === 'xian80') ? c.datum : null;
  if (datum === 'cgcs2000' && local && approximate) {
    const name = DATUM_LABEL[local];
    throw new AppError(
      422,
      'DATUM_APPROXIMATE',
      `该选址来自${name.zh}文件，未经转换参数按近似位置放置，没有可导出的 2000 国家大地坐标；请导出原坐标系（datum=source）`,
      `The site came from a ${name.en} file placed approximately without shift parameters; it has no CGCS2000 coordinates to export — export its own datum (datum=source)`,
    );
  }
  const out: SitePlane['datum'] = local && datum === 'source' && (source || approximate) ? local : 'cgcs2000';
  const fileDatum = local ?? 'cgcs2000';
  const sz = source ? sourceZone(source, c ?? {}) : undefined;
  if (source && sz && fileDatum === out && sz.zone === zone.zone && sz.zoneWidth === zone.zoneWidth && sz.zonePrefix === zone.zonePrefix) {
    return { polygons: sourcePolygons(source), datum: out, from: 'source', approximate };
  }
  let def: string;
  let from: PointsFrom;
  if (out !== 'cgcs2000' && source) {
    def = sourceInZone(source, zone);
    from = 'source-datum';
  } else if (out !== 'cgcs2000') {
    // placed approximately from lon/lat on the local datum: those are its geodetic coordinates
    def = `${gaussKrugerProj(zone).replace('+ellps=GRS80', LOCAL_ELLIPSOID[out])}`;
    from = 'local-ellipsoid';
  } else {
    def = gaussKrugerProj(zone);
    from = 'cgcs2000';
  }
  const conv = proj4(from === 'cgcs2000' ? '+proj=longlat +ellps=GRS80 +no_defs' : CGCS2000_LONLAT, def);
  const polygons = polygonsOf(report.site.geometry).map((poly) => poly.map((ring) => ring.map((pos) => conv.forward([pos[0]!, pos[1]!]) as number[])));
  return { polygons, datum: out, from, approximate };
}

/** Rounds to the millimetre, the file's precision (精度=0.001). */
const mm = (v: number) => Math.round(v * 1000) / 1000;

function signedArea2(ring: readonly PlanePoint[]): number {
  const first = ring[0];
  if (!first) return 0;
  let s = 0;
  for (let i = 0; i < ring.length; i++) {
    const p = ring[i]!;
    const q = ring[(i + 1) % ring.length]!;
    s += (p[1] - first[1]) * (q[0] - first[0]) - (q[1] - first[1]) * (p[0] - first[0]);
  }
  return s;
}

/** A ring of [easting, northing] as the file writes it: to the mm, open, oriented, from its north-west point. */
function fileRing(ring: readonly number[][], outer: boolean): PlanePoint[] {
  const pts: PlanePoint[] = [];
  for (const pos of ring) {
    const p: PlanePoint = [mm(pos[1]!), mm(pos[0]!)];
    const last = pts[pts.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) pts.push(p);
  }
  while (pts.length > 1 && pts[0]![0] === pts[pts.length - 1]![0] && pts[0]![1] === pts[pts.length - 1]![1]) pts.pop();
  if (pts.length < 3) return [];
  const clockwise = signedArea2(pts) < 0;
  if (clockwise !== outer) pts.reverse();
  const maxN = Math.max(...pts.map((q) => q[0]));
  const minE = Math.min(...pts.map((q) => q[1]));
  let start = 0;
  let best = Infinity;
  pts.forEach((q, i) => {
    const d = (maxN - q[0]) ** 2 + (q[1] - minE) ** 2;
    if (d < best) [best, start] = [d, i];
  });
  return [...pts.slice(start), ...pts.slice(0, start)];
}

/** The whole 界址点 file of a site (CRLF, ending in one). */
export function boundaryPointsFile(
  plane: SitePlane,
  zone: ZoneChoice,
  parcel: { code: string; name: string | null; use: string | null },
): string {
  const attrs = [
    '[属性描述]',
    `坐标系=${BOUNDARY_POINTS_DATUM[plane.datum]}`,
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
        : `位置说明=套核时按近似位置放置：${BOUNDARY_POINTS_DATUM[plane.datum]}坐标未经转换参数，误差可达数十米；本文件坐标为原坐标系坐标`,
    );
  }
  const polygons: PlanePoint[][][] = [];
  for (const poly of plane.polygons) {
    const rings = poly.map((r, i) => fileRing(r, i === 0));
    if (!rings[0]?.length) continue;
    polygons.push(rings.filter((r) => r.length > 0));
  }
  const lines = [...attrs, '[地块坐标]'];
  if (polygons.length) {
    const closed = polygons.flat().map((r) => [...r, r[0]!]);
    const pointCount = closed.reduce((n, r) => n + r.length, 0);
    const ha = roundTo(planeAreaM2(polygons) / M2_PER_HA, 4).toFixed(4);
    lines.push([pointCount, ha, fieldText(parcel.code) || '1', fieldText(parcel.name), '面', '', fieldText(parcel.use), '', '@'].join(','));
    let n = 0;
    closed.forEach((ring, r) => {
      const firstName = n + 1;
      ring.forEach((q, i) => {
        const name = i === ring.length - 1 ? firstName : ++n;
        lines.push(`J${name},${r + 1},${q[0].toFixed(3)},${q[1].toFixed(3)}`);
      });
    });
  }
  return lines.join('\r\n') + '\r\n';
}
