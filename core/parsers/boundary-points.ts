/**
 * 界址点坐标文件 — the boundary-point coordinate file of land-approval submissions
 * (domain.md). A `[属性描述]` section of key=value lines (坐标系, 几度分带, 带号,
 * 计量单位 …), then `[地块坐标]` with one header line per parcel
 * (`点数,面积(公顷),地块编号,地块名称,面,图幅号,用途,地类编码,@`) followed by its
 * points (`点号,圈号,X,Y`, X = northing, Y = easting, possibly with the zone prefix).
 * Ring 1 is the outer ring; further rings inside it are holes, others further parts.
 *
 * The header area (公顷) is checked against the Gauss–Krüger plane area computed from
 * the file's own coordinates; a difference over 1 % is a warning (a misread file, or a
 * wrong figure in it).
 *
 * @example readBoundaryPoints(text).features[0].properties // { code: '1', name: '示例地块', header_area_ha: 2.1828, … }
 */
import type { ZoneWidth } from '../gauss-kruger.ts';
import { M2_PER_HA, roundTo } from '../units.ts';
import { datumOf, type DeclaredCrs } from './crs.ts';
import { ParseError, num, warn } from './errors.ts';
import { kindOfPair } from './placement.ts';
import { closeRing, groupRings, isClosed, type RawRead } from './raw.ts';
import type { DetectedEncoding, ParseWarning, RawFeature, RawPolygons, RawPosition } from './types.ts';

/** The attributes a parcel gets from its header line, with their Chinese names. */
export const BOUNDARY_POINT_FIELDS = {
  code: { zh: '地块编号', en: 'Parcel number' },
  name: { zh: '地块名称', en: 'Parcel name' },
  use: { zh: '地块用途', en: 'Use' },
  land_class_code: { zh: '地类编码', en: 'Land class code' },
  map_sheet: { zh: '图幅号', en: 'Map sheet' },
  header_area_ha: { zh: '面积（公顷，文件所写）', en: 'Area as written (ha)' },
  plane_area_ha: { zh: '平面面积（公顷，按坐标计算）', en: 'Plane area from the coordinates (ha)' },
  point_count: { zh: '界址点数', en: 'Point count' },
} as const;

/** Relative difference between header area and plane area above which we warn. */
export const AREA_TOLERANCE = 0.01;

/**
 * Whether a text looks like a 界址点坐标文件.
 *
 * @example looksLikeBoundaryPoints('[属性描述]\n坐标系=…') // true
 */
export function looksLikeBoundaryPoints(text: string): boolean {
  return /[[［]\s*(属性描述|地块坐标)\s*[\]］]/.test(text);
}

/**
 * Plane area in m² of rings in metres (shoelace; the first ring the outer, the rest holes).
 * Coordinates are shifted to the first point first, so 38-million eastings lose no precision.
 *
 * @example planeArea([[[0, 0], [0, 100], [100, 100], [100, 0], [0, 0]]]) // 10000
 */
export function planeArea(polygons: RawPolygons): number {
  let total = 0;
  for (const poly of polygons) {
    poly.forEach((ring, i) => {
      const first = ring[0];
      if (!first) return;
      let s = 0;
      for (let k = 0; k < ring.length; k++) {
        const p = ring[k]!;
        const q = ring[(k + 1) % ring.length]!;
        s += (p[0] - first[0]) * (q[1] - first[1]) - (q[0] - first[0]) * (p[1] - first[1]);
      }
      total += (i === 0 ? 1 : -1) * Math.abs(s / 2);
    });
  }
  return total;
}

/** Normalises full-width punctuation that Chinese input methods produce. */
function normaliseLine(line: string): string {
  return line.replace(/，/g, ',').replace(/［/g, '[').replace(/］/g, ']').replace(/＝/g, '=').replace(/＠/g, '@').trim();
}

function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

interface ParcelDraft {
  line: number;
  pointCount: number | undefined;
  headerAreaHa: number | undefined;
  code: string;
  name: string;
  shape: string;
  mapSheet: string;
  use: string;
  landClassCode: string;
  rings: Map<number, RawPosition[]>;
}

/**
 * Reads the [属性描述] key=value pairs into the coordinate system the file declares.
 *
 * @example declaredFromAttributes({ 坐标系: '2000国家大地坐标系', 几度分带: '3', 带号: '38' })
 */
export function declaredFromAttributes(attrs: Record<string, string>, warnings: ParseWarning[]): DeclaredCrs {
  const name = attrs['坐标系'] ?? '';
  const widthText = attrs['几度分带'] ?? attrs['分带'] ?? '';
  const zoneWidth: ZoneWidth = /6/.test(widthText) ? 6 : 3;
  if (widthText && !/^[36]\s*度?$/.test(widthText)) {
    warnings.push(warn('HEADER_VALUE', `几度分带“${widthText}”无法识别，按 3 度带处理`, `Zone width "${widthText}" not understood; 3° assumed`));
  }
  const zoneText = attrs['带号'] ?? '';
  const zone = zoneText ? parseNumber(zoneText) : undefined;
  if (zoneText && (zone === undefined || !Number.isInteger(zone))) {
    warnings.push(warn('HEADER_VALUE', `带号“${zoneText}”不是整数，已忽略`, `Zone "${zoneText}" is not an integer; ignored`));
  }
  const unit = attrs['计量单位'];
  if (unit && !/^(米|m|meter|metre)$/i.test(unit)) {
    warnings.push(warn('HEADER_UNIT', `计量单位为“${unit}”，已按米处理`, `The unit is "${unit}"; read as metres`));
  }
  const proj = attrs['投影类型'];
  if (proj && !/高斯|gauss/i.test(proj)) {
    warnings.push(warn('HEADER_PROJECTION', `投影类型为“${proj}”，已按高斯-克吕格投影处理`, `The projection is "${proj}"; read as Gauss–Krüger`));
  }
  const validZone = zone !== undefined && Number.isInteger(zone) ? zone : undefined;
  return {
    choice: { kind: 'gauss-kruger', zoneWidth, ...(validZone !== undefined ? { zone: validZone } : {}) },
    name: name || '界址点坐标文件',
    datum: name ? datumOf(name) : 'cgcs2000',
  };
}

/**
 * Reads a boundary-point coordinate file (already decoded to text).
 *
 * @example readBoundaryPoints(text, 'gbk')
 */
export function readBoundaryPoints(text: string, encoding?: DetectedEncoding): RawRead {
  const warnings: ParseWarning[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  const attrs: Record<string, string> = {};
  const parcels: ParcelDraft[] = [];
  let section = '';
  let sawCoordinates = false;
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = normaliseLine(raw);
    if (!line) return;
    const sectionName = /^\[\s*(.+?)\s*\]$/.exec(line)?.[1];
    if (sectionName) {
      section = sectionName;
      if (section === '地块坐标') sawCoordinates = true;
      return;
    }
    if (section === '属性描述') {
      const eq = line.indexOf('=');
      if (eq > 0) attrs[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
      return;
    }
    if (section !== '地块坐标') return;
    const fields = line.replace(/,\s*$/, '').split(',').map((f) => f.trim());
    if (fields[fields.length - 1] === '@') {
      const [count = '', area = '', code = '', name = '', shape = '', mapSheet = '', use = '', landClassCode = ''] = fields.slice(0, -1);
      const pointCount = parseNumber(count);
      if (count && (pointCount === undefined || !Number.isInteger(pointCount))) {
        throw new ParseError('BOUNDARY_BAD_LINE', `第 ${lineNo} 行地块头的界址点数“${count}”不是整数`, `Line ${lineNo}: the parcel header's point count "${count}" is not an integer`);
      }
      const headerAreaHa = area ? parseNumber(area) : undefined;
      if (area && headerAreaHa === undefined) {
        throw new ParseError('BOUNDARY_BAD_LINE', `第 ${lineNo} 行地块头的面积“${area}”不是数字`, `Line ${lineNo}: the parcel header's area "${area}" is not a number`);
      }
      parcels.push({ line: lineNo, pointCount, headerAreaHa, code, name, shape, mapSheet, use, landClassCode, rings: new Map() });
      return;
    }
    const parcel = parcels[parcels.length - 1];
    if (!parcel) {
      throw new ParseError(
        'BOUNDARY_BAD_LINE',
        `第 ${lineNo} 行：界址点前没有地块头行（如“5,2.1828,1,示例地块,面,,工业用地,,@”）`,
        `Line ${lineNo}: a point comes before any parcel header line (like "5,2.1828,1,name,面,,use,,@")`,
      );
    }
    let ringText: string;
    let xText: string;
    let yText: string;
    if (fields.length >= 4) [, ringText = '', xText = '', yText = ''] = fields;
    else if (fields.length === 3) [ringText, xText, yText] = ['1', fields[1] ?? '', fields[2] ?? ''];
    else {
      throw new ParseError(
        'BOUNDARY_BAD_LINE',
        `第 ${lineNo} 行格式不对：界址点行应为“点号,圈号,X,Y”，读到“${line.slice(0, 60)}”`,
        `Line ${lineNo} is malformed: a point line is "name,ring,X,Y", found "${line.slice(0, 60)}"`,
      );
    }
    const x = parseNumber(xText);
    const y = parseNumber(yText);
    if (x === undefined || y === undefined) {
      const bad = x === undefined ? xText : yText;
      throw new ParseError(
        'COORD_NOT_NUMBER',
        `第 ${lineNo} 行坐标不是数字：“${bad}”`,
        `Line ${lineNo}: the coordinate is not a number: "${bad}"`,
      );
    }
    const ring = parseNumber(ringText);
    if (ring === undefined || !Number.isInteger(ring) || ring < 1) {
      throw new ParseError('BOUNDARY_BAD_LINE', `第 ${lineNo} 行的圈号“${ringText}”不是正整数`, `Line ${lineNo}: the ring number "${ringText}" is not a positive integer`);
    }
    const points = parcel.rings.get(ring) ?? [];
    points.push([x, y]);
    parcel.rings.set(ring, points);
  });

  if (!sawCoordinates) {
    throw new ParseError('BOUNDARY_NO_SECTION', '界址点文件缺少 [地块坐标] 段', 'The boundary-point file has no [地块坐标] (parcel coordinates) section');
  }
  if (parcels.length === 0) {
    throw new ParseError('BOUNDARY_NO_POINTS', '[地块坐标] 段中没有地块（地块头行以 @ 结尾）', 'The [地块坐标] section holds no parcel (header lines end in @)');
  }

  const declared = declaredFromAttributes(attrs, warnings);
  const features: RawFeature[] = [];
  for (const p of parcels) {
    const label = p.name || p.code || `第 ${p.line} 行`;
    const labelEn = p.code || p.name || `line ${p.line}`;
    if (p.shape && p.shape !== '面') {
      warnings.push(warn('SKIPPED_NON_POLYGON', `地块“${label}”的图形属性为“${p.shape}”而不是“面”，已忽略`, `Parcel "${labelEn}" is a "${p.shape}", not a polygon (面); skipped`));
      continue;
    }
    if (p.rings.size === 0) {
      throw new ParseError('BOUNDARY_NO_POINTS', `第 ${p.line} 行的地块“${label}”没有界址点`, `The parcel "${labelEn}" on line ${p.line} has no points`);
    }
    const total = [...p.rings.values()].reduce((n, r) => n + r.length, 0);
    if (p.pointCount !== undefined && p.pointCount !== total) {
      warnings.push(
        warn(
          'POINT_COUNT_MISMATCH',
          `地块“${label}”的头行写有 ${p.pointCount} 个界址点，实际读到 ${total} 个`,
          `Parcel "${labelEn}": the header says ${p.pointCount} points, ${total} were read`,
        ),
      );
    }
    const rings = [...p.rings.entries()].sort(([a], [b]) => a - b).map(([n, pts]) => {
      if (!isClosed(pts) && pts.length > 2) {
        warnings.push(warn('RING_CLOSED', `地块“${label}”第 ${n} 圈首尾点不一致，已自动闭合`, `Parcel "${labelEn}" ring ${n} was not closed; closed it`));
        return closeRing(pts);
      }
      return pts;
    });
    const polygons = groupRings(rings);
    const projected = rings.every((r) => r.every((pt) => kindOfPair(pt) === 'projected'));
    const planeM2 = projected ? planeArea(polygons) : undefined;
    if (planeM2 !== undefined && p.headerAreaHa !== undefined && p.headerAreaHa > 0) {
      const planeHa = planeM2 / M2_PER_HA;
      const diff = Math.abs(planeHa - p.headerAreaHa) / p.headerAreaHa;
      if (diff > AREA_TOLERANCE) {
        const pct = num(diff * 100, 1);
        warnings.push(
          warn(
            'AREA_MISMATCH',
            `地块“${label}”头行面积 ${p.headerAreaHa} 公顷，按坐标计算的平面面积为 ${roundTo(planeHa, 4).toFixed(4)} 公顷，相差 ${pct}%；请核对坐标或面积`,
            `Parcel "${labelEn}": the header says ${p.headerAreaHa} ha, the plane area from the coordinates is ${roundTo(planeHa, 4).toFixed(4)} ha (${pct} % apart); check the coordinates or the area`,
          ),
        );
      }
    }
    features.push({
      properties: {
        code: p.code || null,
        name: p.name || null,
        use: p.use || null,
        land_class_code: p.landClassCode || null,
        map_sheet: p.mapSheet || null,
        header_area_ha: p.headerAreaHa ?? null,
        plane_area_ha: planeM2 !== undefined ? roundTo(planeM2 / M2_PER_HA, 4) : null,
        point_count: total,
      },
      polygons,
    });
  }
  if (features.length === 0) {
    throw new ParseError('BOUNDARY_NO_POINTS', '界址点文件中没有面状地块', 'The boundary-point file holds no polygon parcel');
  }
  return {
    format: 'boundary-points',
    features,
    declared,
    ...(encoding ? { encoding } : {}),
    naturalOrder: { geographic: 'yx', projected: 'yx' },
    orderIsConvention: true,
    warnings,
  };
}
