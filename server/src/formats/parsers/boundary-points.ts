/**
 * 界址点坐标文件 — the boundary-point coordinate file of land-approval submissions
 * (《勘测定界界址点坐标交换格式》, as the ministry's 报盘 systems take it). A `[属性描述]` section of
 * key=value lines, then `[地块坐标]` with one header line per parcel followed by its points
 * (`点号,圈号,X,Y`, X = northing, Y = easting, possibly with the zone prefix). Ring 1 is the outer
 * ring; further rings inside it are holes, others further parts.
 *
 * [属性描述], as real files write it:
 * - `坐标系=` 2000国家大地坐标系 / CGCS2000 / 国家2000; 1980西安坐标系 / 西安80 / 西安1980 / Xian80 /
 *   80国家大地坐标系; 1954北京坐标系 / 北京54 / 北京1954; WGS84. 新1954北京坐标系 (New Beijing, EPSG:4555 —
 *   Krassovsky's ellipsoid placed on the Xi'an 1980 datum, its own datum) is refused: no datum shift
 *   to CGCS2000 is defined for it here. An empty 坐标系 is read as CGCS2000 with a warning.
 * - `几度分带=` 3 / 6 / 3度 / 3度带 / 三度带 / 3度分带 / 3° / "3 度" …; left undefined when the file does not
 *   say (placement then judges the width from the easting's prefix). `带号=` 38 / 38带 / 第38带. A 坐标系
 *   value naming its zone ("CGCS2000_3_Degree_GK_Zone_38", "… 3度带 38带") or a `中央子午线=114` line (once
 *   the width is known) fills what those leave unstated.
 * - `转换参数=` the spec's seven values "X平移,Y平移,Z平移,X旋转,Y旋转,Z旋转,尺度参数" (metres,
 *   arc-seconds, ppm — proj4 `+towgs84` order). Real files mostly leave it empty, keeping the commas
 *   (`转换参数=,,,,,,`, "不用填写转换参数，但要保留逗号" in bureaus' submission rules) or write seven
 *   zeros as a placeholder (`0,0,0,0,0,0,0`, what several exporters write): both mean no parameters.
 *   Commas, full-width commas, semicolons or spaces separate them; any other count is refused.
 *
 * The EPSG code is filled in when the header names the datum, the zone width and the zone and the
 * eastings say whether they carry the prefix (Beijing 1954 3° zone 38 with prefix → 2414, Xi'an 1980
 * → 2362, CGCS2000 → 4526; without prefix 2435 / 2383 / 4547); otherwise it is left to placement.
 *
 * Parcel header lines: the national layout is `界址点数,地块面积,地块编号,地块名称,记录图形属性(点、线、面),
 * 图幅号,地块用途,地类编码,@`. Provinces add columns (a 9-column layout with 描述, 13 columns for land
 * consolidation with 图斑类型, 地类, 等别 …) and some move them. The columns are mapped by layout, not
 * by position: a layout line of field names ending in `@` (as some files carry) maps them by name;
 * without one, the column holding 面/线/点 is found in each header line and the columns around it
 * are read in the national order. Columns beyond the known ones are kept as attributes (by their
 * name in the layout line, else `extra_<column number>`). The area may carry its unit (`9.3317公顷`,
 * `139.98亩`, `93317平方米`, `93317m2`/`㎡`; a plain number is hectares, or the unit the layout line
 * names); it is converted to hectares (1 公顷 = 15 亩 = 10 000 m²) and checked against the
 * Gauss–Krüger plane area computed from the file's own coordinates; a difference over 1 % is a
 * warning (a misread file, or a wrong figure in it). An area that is no number with a known unit is
 * named in a warning and not compared.
 *
 * Traditional-character files (Big5) are read too: keys, section names and units are matched in
 * either script; values (names) are kept as written.
 *
 * @example readBoundaryPoints(text).features[0].properties // { code: '1', name: '示例地块', header_area_ha: 2.1828, … }
 */
import type { ZoneWidth } from '../../../../core/gauss-kruger.ts';
import { M2_PER_HA, MU_PER_HA, roundTo } from '../../../../core/units.ts';
import type { Datum, DeclaredCrs } from './crs.ts';
import { ParseError, num, warn } from './errors.ts';
import { kindOfPair, UNDECLARED_RISK } from './placement.ts';
import { sevenParametersProblem } from './seven-parameters.ts';
import { closeRing, groupRings, isClosed, type RawRead } from './raw.ts';
import type { DetectedEncoding, ParseWarning, PropertyValue, RawFeature, RawPolygons, RawPosition, SevenParameters } from './types.ts';

/** The attributes a parcel gets from its header line, with their Chinese names. */
export const BOUNDARY_POINT_FIELDS = {
  code: { zh: '地块编号', en: 'Parcel number' },
  name: { zh: '地块名称', en: 'Parcel name' },
  use: { zh: '地块用途', en: 'Use' },
  land_class_code: { zh: '地类编码', en: 'Land class code' },
  map_sheet: { zh: '图幅号', en: 'Map sheet' },
  header_area_ha: { zh: '面积（公顷，文件所写，已换算）', en: 'Area as written (ha, converted)' },
  header_area_text: { zh: '面积（文件原文）', en: 'Area as written (text)' },
  plane_area_ha: { zh: '平面面积（公顷，按坐标计算）', en: 'Plane area from the coordinates (ha)' },
  point_count: { zh: '界址点数', en: 'Point count' },
} as const;

/** Relative difference between header area and plane area above which we warn. */
export const AREA_TOLERANCE = 0.01;

/** Traditional characters of the format's keys, section names, shape words and units, to simplified. */
const TRADITIONAL: Record<string, string> = {
  屬: '属', 塊: '块', 標: '标', 幾: '几', 帶: '带', 號: '号', 計: '计', 單: '单', 轉: '转', 換: '换', 參: '参', 數: '数',
  類: '类', 編: '编', 碼: '码', 稱: '称', 圖: '图', 積: '积', 頃: '顷', 畝: '亩', 產: '产', 據: '据', 國: '国', 係: '系',
  狀: '状', 線: '线', 點: '点', 區: '区', 範: '范', 錄: '录', 準: '准', 橫: '横', 縱: '纵', 註: '注', 備: '备', 內: '内',
  圈: '圈', 將: '将', 門: '门', 廣: '广', 長: '长', 東: '东', 進: '进', 測: '测', 經: '经', 緯: '纬', 個: '个', 軸: '轴',
  劃: '划', 貫: '贯', 權: '权', 屆: '届', 寬: '宽', 離: '离', 亞: '亚', 歐: '欧', 電: '电', 檔: '档', 鄉: '乡', 鎮: '镇',
  縣: '县', 項: '项', 階: '阶', 層: '层', 質: '质', 級: '级', 別: '别', 後: '后', 舊: '旧', 歷: '历', 來: '来', 設: '设',
};

/** Full-width digits and punctuation to ASCII, traditional key characters to simplified. */
function normaliseKey(text: string): string {
  return text
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/．/g, '.')
    .replace(/[\u3400-\u9fff]/g, (c) => TRADITIONAL[c] ?? c)
    .trim();
}

/**
 * Whether a text looks like a 界址点坐标文件.
 *
 * @example looksLikeBoundaryPoints('[属性描述]\n坐标系=…') // true
 */
export function looksLikeBoundaryPoints(text: string): boolean {
  return /[[［]\s*(属性描述|地块坐标|屬性描述|地塊坐標)\s*[\]］]/.test(text);
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
  const t = normaliseKey(text);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

// ---------------------------------------------------------------------------------------------
// [属性描述]

/**
 * The zone width a `几度分带` value names: 3, 6, "3度", "3度带", "三度带", "3度分带", "3°", "3 度" …;
 * undefined for an empty value, null for one that names no width.
 *
 * @example zoneWidthOf('三度带') // 3
 */
export function zoneWidthOf(text: string): ZoneWidth | undefined | null {
  const t = normaliseKey(text).replace(/\s/g, '').replace(/[°º˚]/g, '度');
  if (!t) return undefined;
  const m = /^(3|三|6|六)(?:度)?(?:分带|带)?$/.exec(t);
  if (!m) return null;
  return m[1] === '3' || m[1] === '三' ? 3 : 6;
}

/**
 * The zone a `带号` value names: 38, "38带", "第38带", "３８"; undefined for an empty value, null for one that names no zone.
 *
 * @example zoneNumberOf('第38带') // 38
 */
export function zoneNumberOf(text: string): number | undefined | null {
  const t = normaliseKey(text).replace(/\s/g, '');
  if (!t) return undefined;
  const m = /^第?(\d{1,3})(?:带号|带|号)?$/.exec(t);
  return m ? Number(m[1]) : null;
}

/** A datum a 界址点 header names: those placement knows, or New Beijing, which it does not. */
export type HeaderDatum = Datum | 'newbeijing54';

/**
 * The datum a `坐标系` value names.
 *
 * @example datumOfHeader('西安80') // 'xian80'
 * @example datumOfHeader('新1954北京坐标系') // 'newbeijing54'
 */
export function datumOfHeader(text: string): HeaderDatum {
  const t = normaliseKey(text).toLowerCase().replace(/[\s_\-'’年]/g, '');
  if (/^新|新(1954|54)?北京|新北京|newbeijing/.test(t)) return 'newbeijing54';
  if (/cgcs2000|2000国家|国家2000|2000坐标|中国2000|china(geodetic)?(coordinate)?(system)?2000|2000大地/.test(t)) return 'cgcs2000';
  if (/西安|xian|(19)?80国家大地/.test(t)) return 'xian80';
  if (/北京|beijing|(19)?54坐标/.test(t)) return 'beijing54';
  if (/wgs(19)?84/.test(t)) return 'wgs84';
  return 'other';
}

/**
 * The EPSG code of a Gauss–Krüger zone on CGCS2000, Beijing 1954 or Xi'an 1980, with or without the
 * zone prefix on the easting; undefined outside EPSG's ranges (3° zones 25–45, 6° zones 13–23).
 *
 * @example gaussKrugerEpsgOf('beijing54', 3, 38, true) // 2414
 */
export function gaussKrugerEpsgOf(datum: Datum, zoneWidth: ZoneWidth, zone: number, prefix: boolean): number | undefined {
  // first code of each range: [3° prefix, 3° no prefix, 6° prefix, 6° no prefix]
  const bases: Partial<Record<Datum, [number, number, number, number]>> = {
    cgcs2000: [4513, 4534, 4491, 4502],
    beijing54: [2401, 2422, 21413, 21453],
    xian80: [2349, 2370, 2327, 2338],
  };
  const b = bases[datum];
  if (!b || !Number.isInteger(zone)) return undefined;
  if (zoneWidth === 3 && zone >= 25 && zone <= 45) return (prefix ? b[0] : b[1]) + zone - 25;
  if (zoneWidth === 6 && zone >= 13 && zone <= 23) return (prefix ? b[2] : b[3]) + zone - 13;
  return undefined;
}

/**
 * Reads a `转换参数=` value: empty, only separators or seven zeros → undefined (no parameters);
 * seven numbers → the seven parameters; anything else → a ParseError naming what was found.
 *
 * @example transformParametersOf('-12.3,45.6,7.8,0.1,-0.2,0.3,1.5', 12) // [-12.3, 45.6, 7.8, 0.1, -0.2, 0.3, 1.5]
 */
export function transformParametersOf(text: string, line: number): SevenParameters | undefined {
  const shown = text.trim().slice(0, 80);
  const tokens = normaliseKey(text)
    .replace(/[，、]/g, ',')
    .replace(/；/g, ';')
    .split(/[,;\s]+/)
    .filter(Boolean);
  if (tokens.length === 0) return undefined;
  const supported = {
    zh: '只支持七参数（X平移,Y平移,Z平移,X旋转,Y旋转,Z旋转,尺度参数；单位米、秒、ppm）或留空（“转换参数=,,,,,,”）',
    en: 'only seven parameters (dX,dY,dZ,rX,rY,rZ,scale in metres, arc-seconds and ppm) or an empty value ("转换参数=,,,,,,") are supported',
  };
  const bad = tokens.find((t) => parseNumber(t) === undefined);
  if (bad !== undefined) {
    throw new ParseError('BOUNDARY_BAD_LINE', `第 ${line} 行转换参数“${shown}”中的“${bad}”不是数字；${supported.zh}`, `Line ${line}: "${bad}" in the transformation parameters "${shown}" is not a number; ${supported.en}`);
  }
  const values = tokens.map((t) => parseNumber(t)!);
  if (values.length !== 7) {
    const kind =
      values.length === 4
        ? { zh: '（四参数是平面坐标之间的换算，不能换算大地基准）', en: ' (four parameters transform plane coordinates; they cannot shift a datum)' }
        : values.length === 3
          ? { zh: '（三参数请写成七参数，旋转与尺度填 0）', en: ' (write three parameters as seven, with rotations and scale 0)' }
          : { zh: '', en: '' };
    throw new ParseError(
      'BOUNDARY_BAD_LINE',
      `第 ${line} 行转换参数有 ${values.length} 个数（“${shown}”）${kind.zh}：${supported.zh}`,
      `Line ${line}: the transformation parameters hold ${values.length} numbers ("${shown}")${kind.en}: ${supported.en}`,
    );
  }
  if (values.every((v) => v === 0)) return undefined;
  const problem = sevenParametersProblem(values);
  if (problem) {
    throw new ParseError('DATUM_PARAMETERS_INVALID', `第 ${line} 行转换参数“${shown}”无效：${problem.zh}`, `Line ${line}: the transformation parameters "${shown}" are invalid: ${problem.en}`);
  }
  return values as SevenParameters;
}

/** What the coordinates say about the zone prefix: the prefix zone, 'none', or undefined when mixed. */
export function prefixOfEastings(points: RawPosition[]): number | 'none' | undefined {
  let found: number | 'none' | undefined;
  for (const [x, y] of points) {
    const big = Math.max(Math.abs(x), Math.abs(y));
    const small = Math.min(Math.abs(x), Math.abs(y));
    const p: number | 'none' | undefined = big >= 10_000_000 ? Math.floor(big / 1_000_000) : small < 1_000_000 ? 'none' : undefined;
    if (p === undefined) return undefined;
    if (found !== undefined && found !== p) return undefined;
    found = p;
  }
  return found;
}

/** Context of a [属性描述] read: the line of each key (for messages) and the file's points. */
export interface AttributeContext {
  lines?: Record<string, number>;
  points?: RawPosition[];
}

/**
 * Reads the [属性描述] key=value pairs into the coordinate system the file declares. Keys may be
 * written in traditional characters. `choice.zoneWidth` is undefined unless the file states it.
 *
 * @example declaredFromAttributes({ 坐标系: '2000国家大地坐标系', 几度分带: '3', 带号: '38' }, [])
 */
export function declaredFromAttributes(attrs: Record<string, string>, warnings: ParseWarning[], ctx: AttributeContext = {}): DeclaredCrs {
  const get = (key: string) => {
    for (const [k, v] of Object.entries(attrs)) if (normaliseKey(k).replace(/\s/g, '') === key) return { value: v.trim(), line: ctx.lines?.[k] };
    return undefined;
  };
  const lineOf = (l: number | undefined) => (l !== undefined ? { zh: `第 ${l} 行`, en: `line ${l}: ` } : { zh: '', en: '' });

  const crsText = get('坐标系')?.value ?? '';
  const headerDatum = crsText ? datumOfHeader(crsText) : 'cgcs2000';
  if (headerDatum === 'newbeijing54') {
    throw new ParseError(
      'CRS_UNSUPPORTED',
      `文件的坐标系为“${crsText}”（新 1954 北京坐标系，EPSG:4555，克拉索夫斯基椭球定位于 1980 西安坐标系）：暂不支持这一基准，请先转换为 2000 国家大地坐标系`,
      `The file's coordinate system is "${crsText}" (New Beijing, EPSG:4555: Krassovsky's ellipsoid on the Xi'an 1980 datum); this datum is not supported — convert the file to CGCS2000 first`,
    );
  }
  const datum: Datum = headerDatum;
  if (!crsText) {
    warnings.push(
      warn(
        'HEADER_CRS_ASSUMED',
        `文件没有写明坐标系（坐标系=），已按 2000 国家大地坐标系（CGCS2000）处理；${UNDECLARED_RISK.zh}`,
        `The file does not name its coordinate system (坐标系=); read as CGCS2000 — ${UNDECLARED_RISK.en}`,
      ),
    );
  } else if (datum === 'other') {
    warnings.push(
      warn(
        'HEADER_VALUE',
        `坐标系“${crsText}”无法识别（应为 2000国家大地坐标系、1980西安坐标系、1954北京坐标系或 WGS84）`,
        `The coordinate system "${crsText}" is not recognised (expected 2000国家大地坐标系 / CGCS2000, 1980西安坐标系 / Xian 1980, 1954北京坐标系 / Beijing 1954 or WGS84)`,
      ),
    );
  }

  const width = get('几度分带') ?? get('分带');
  const zoneWidth = width ? zoneWidthOf(width.value) : undefined;
  if (zoneWidth === null) {
    const at = lineOf(width?.line);
    warnings.push(
      warn('HEADER_VALUE', `${at.zh}几度分带“${width!.value}”无法识别（应为 3 或 6），已按东坐标判断分带`, `${at.en}the zone width "${width!.value}" is not understood (expected 3 or 6); judged from the eastings`),
    );
  }
  const zoneEntry = get('带号');
  const zone = zoneEntry ? zoneNumberOf(zoneEntry.value) : undefined;
  if (zone === null) {
    const at = lineOf(zoneEntry?.line);
    warnings.push(warn('HEADER_VALUE', `${at.zh}带号“${zoneEntry!.value}”不是整数，已忽略`, `${at.en}the zone "${zoneEntry!.value}" is not an integer; ignored`));
  }
  const unit = get('计量单位')?.value;
  if (unit && !/^(米|m|meters?|metres?|公尺)$/i.test(normaliseKey(unit).replace(/[（(].*[)）]$/, '').trim())) {
    warnings.push(warn('HEADER_UNIT', `计量单位为“${unit}”，已按米处理`, `The unit is "${unit}"; read as metres`));
  }
  const proj = get('投影类型')?.value;
  if (proj && !/高斯|gauss|gk|横轴墨卡托|transverse/i.test(normaliseKey(proj))) {
    warnings.push(warn('HEADER_PROJECTION', `投影类型为“${proj}”，已按高斯-克吕格投影处理`, `The projection is "${proj}"; read as Gauss–Krüger`));
  }
  const shift = get('转换参数');
  const towgs84 = shift ? transformParametersOf(shift.value, shift.line ?? 0) : undefined;

  // a 坐标系 value that names the zone itself ("CGCS2000_3_Degree_GK_Zone_38", "2000国家大地坐标系 3度带 38带")
  // fills what the 几度分带 / 带号 lines leave unstated
  const named = normaliseKey(crsText);
  const namedWidth = /(?:^|[^\d])([36])[_\s-]*degree/i.exec(named)?.[1] ?? /([36三六])\s*度/.exec(named)?.[1];
  const namedZone = /zone[_\s]*(\d{1,2})(?!\d)/i.exec(named)?.[1] ?? /(?:^|[^\d])(\d{2})\s*带/.exec(named)?.[1];
  const width36 = typeof zoneWidth === 'number' ? zoneWidth : zoneWidth === undefined && namedWidth ? (/[3三]/.test(namedWidth) ? 3 : 6) : undefined;
  // 中央子午线=114 (some files give the central meridian instead of 带号): a zone once the width is known
  const cmText = (get('中央子午线') ?? get('中央经线'))?.value;
  const cm = cmText ? parseNumber(normaliseKey(cmText).replace(/^[eE东]|[°度]|[eE]$/g, '')) : undefined;
  const cmZone = cm !== undefined && width36 !== undefined ? (width36 === 3 ? cm / 3 : (cm + 3) / 6) : undefined;
  const zoneN =
    typeof zone === 'number'
      ? zone
      : zone === undefined && namedZone
        ? Number(namedZone)
        : zone === undefined && cmZone !== undefined && Number.isInteger(cmZone)
          ? cmZone
          : undefined;
  const prefix = ctx.points ? prefixOfEastings(ctx.points) : undefined;
  let epsg: number | undefined;
  let zonePrefix: boolean | undefined;
  if (width36 !== undefined && zoneN !== undefined && prefix !== undefined && (prefix === 'none' || prefix === zoneN)) {
    zonePrefix = prefix !== 'none';
    epsg = gaussKrugerEpsgOf(datum, width36, zoneN, zonePrefix);
  }
  return {
    choice: { kind: 'gauss-kruger', ...(width36 !== undefined ? { zoneWidth: width36 } : {}), ...(zoneN !== undefined ? { zone: zoneN } : {}) },
    name: crsText || '界址点坐标文件',
    datum,
    ...(zonePrefix !== undefined ? { zonePrefix } : {}),
    ...(epsg !== undefined ? { epsg } : {}),
    ...(towgs84 ? { towgs84 } : {}),
    ...(crsText ? {} : { assumed: true }),
  };
}

// ---------------------------------------------------------------------------------------------
// parcel header lines

/** Units a header area may carry. */
export type AreaUnit = 'ha' | 'mu' | 'm2';

const AREA_UNITS: [RegExp, AreaUnit][] = [
  [/^(公顷|ha|hm2|hm²|hectares?)$/i, 'ha'],
  [/^(亩|mu)$/i, 'mu'],
  [/^(平方米|平米|平方公尺|m2|m²|㎡|sqm)$/i, 'm2'],
];

function unitOf(text: string): AreaUnit | undefined {
  const t = normaliseKey(text).replace(/\s/g, '');
  return AREA_UNITS.find(([re]) => re.test(t))?.[1];
}

/**
 * A header area in hectares: a number with an optional unit (公顷/ha, 亩, 平方米/m2/㎡); a plain
 * number is in `unit` (hectares unless the layout line says otherwise). Undefined when it is not one.
 *
 * @example parseArea('139.98亩') // { ha: 9.332, unit: 'mu', explicit: true }
 */
export function parseArea(text: string, unit: AreaUnit = 'ha'): { ha: number; unit: AreaUnit; explicit: boolean } | undefined {
  const t = normaliseKey(text).replace(/\s/g, '');
  const m = /^([-+]?(?:\d+\.?\d*|\.\d+))(.*)$/.exec(t);
  if (!m) return undefined;
  const value = Number(m[1]);
  const written = m[2] ? unitOf(m[2]) : undefined;
  if (m[2] && !written) return undefined;
  const u = written ?? unit;
  const ha = u === 'ha' ? value : u === 'mu' ? value / MU_PER_HA : value / M2_PER_HA;
  return { ha: roundTo(ha, 8), unit: u, explicit: written !== undefined };
}

/** What a header column holds. */
type Role = 'count' | 'area' | 'code' | 'name' | 'shape' | 'mapSheet' | 'use' | 'landClassCode';

/** The national layout's columns, in order. */
const NATIONAL: Role[] = ['count', 'area', 'code', 'name', 'shape', 'mapSheet', 'use', 'landClassCode'];

const ROLE_NAMES: [RegExp, Role][] = [
  [/^(界址点数|界址点个数|点数|jzds)$/i, 'count'],
  [/^(地块面积|面积|用地面积|宗地面积|dkmj)$/i, 'area'],
  [/^(地块编号|编号|宗地编号|宗地号|dkbh)$/i, 'code'],
  [/^(地块名称|名称|宗地名称|dkmc)$/i, 'name'],
  [/^(记录图形属性|图形属性|图形类型|几何类型|图形|jltxsx)$/i, 'shape'],
  [/^(图幅号|图幅|tfh)$/i, 'mapSheet'],
  [/^(地块用途|用途|土地用途|dkyt)$/i, 'use'],
  [/^(地类编码|地类编号|地类代码|dlbm)$/i, 'landClassCode'],
];

/** A column name without its parenthesised note or unit ("记录图形属性(点、线、面)" → "记录图形属性"). */
function bareName(name: string): { bare: string; note: string } {
  const n = normaliseKey(name).replace(/（/g, '(').replace(/）/g, ')');
  const m = /^([^(]*)\((.*)\)\s*$/.exec(n);
  return m ? { bare: m[1]!.trim(), note: m[2]!.trim() } : { bare: n.trim(), note: '' };
}

function roleOfName(name: string): Role | undefined {
  const { bare } = bareName(name);
  return ROLE_NAMES.find(([re]) => re.test(bare.replace(/\s/g, '')))?.[1];
}

/** The geometry a 记录图形属性 value names. */
function shapeKind(value: string): 'polygon' | 'line' | 'point' | undefined {
  const v = normaliseKey(value).replace(/\s/g, '').toLowerCase();
  if (/^(面|面状|多边形|区|polygon|region|面要素)$/.test(v)) return 'polygon';
  if (/^(线|线状|折线|polyline|line|线要素)$/.test(v)) return 'line';
  if (/^(点|点状|point|点要素)$/.test(v)) return 'point';
  return undefined;
}

/** A column of a header line: its role, or the attribute key of an extra column. */
type Column = { role: Role } | { key: string };

/** A layout line of field names (`界址点数,地块面积,…,@`): its columns and the area unit it names. */
interface Layout {
  columns: Column[];
  areaUnit: AreaUnit;
  line: number;
}

/**
 * Reads a layout line, or undefined when the line is a parcel header (its first field a number).
 *
 * @example layoutOf(['界址点数', '地块面积(亩)', '地块编号', '地块名称', '记录图形属性', '备注'], 12)
 */
function layoutOf(fields: string[], line: number): Layout | undefined {
  if (fields.length === 0 || parseNumber(fields[0]!) !== undefined) return undefined;
  const roles = fields.map(roleOfName);
  if (!roles.includes('count') && !roles.includes('area')) return undefined;
  let areaUnit: AreaUnit = 'ha';
  const columns = fields.map((f, i): Column => {
    const role = roles[i];
    if (role === 'area') {
      const { note } = bareName(f);
      areaUnit = (note && unitOf(note)) || 'ha';
    }
    if (role && roles.indexOf(role) === i) return { role };
    return { key: bareName(f).bare || `extra_${i + 1}` };
  });
  return { columns, areaUnit, line };
}

/**
 * The columns of a parcel header line without a layout line: the national order around the column
 * that holds 面/线/点. Throws a ParseError naming the line when no column can be the shape.
 */
function columnsByContent(fields: string[], line: number): Column[] {
  const shapeCols = fields.map((f, i) => (shapeKind(f) ? i : -1)).filter((i) => i >= 0);
  const national = (): Column[] => fields.map((_, i) => (i < NATIONAL.length ? { role: NATIONAL[i]! } : { key: `extra_${i + 1}` }));
  if (shapeCols.includes(4) || (shapeCols.length === 0 && !fields[4])) return national();
  if (shapeCols.length === 1 && shapeCols[0]! >= 2) {
    const s = shapeCols[0]!;
    const before: Role[] = ['code', 'name'];
    const after: Role[] = ['mapSheet', 'use', 'landClassCode'];
    return fields.map((_, i): Column => {
      if (i === 0) return { role: 'count' };
      if (i === 1) return { role: 'area' };
      if (i === s) return { role: 'shape' };
      if (i < s) return before[i - 2] ? { role: before[i - 2]! } : { key: `extra_${i + 1}` };
      return after[i - s - 1] ? { role: after[i - s - 1]! } : { key: `extra_${i + 1}` };
    });
  }
  const shown = fields.join(',').slice(0, 80);
  const why =
    shapeCols.length > 1
      ? { zh: `有 ${shapeCols.length} 列都像图形属性（第 ${shapeCols.map((i) => i + 1).join('、')} 列）`, en: `${shapeCols.length} columns look like the geometry (columns ${shapeCols.map((i) => i + 1).join(', ')})` }
      : { zh: `第 5 列（记录图形属性）读到“${fields[4]}”，也没有别的列写明面/线/点`, en: `column 5 (the geometry) holds "${fields[4]}" and no other column says 面/线/点 (polygon/line/point)` };
  throw new ParseError(
    'BOUNDARY_BAD_LINE',
    `第 ${line} 行地块头无法对应字段：应为“界址点数,地块面积,地块编号,地块名称,记录图形属性(面/线/点),图幅号,地块用途,地类编码,@”，${why.zh}；读到“${shown}”。可在 [地块坐标] 段首加一行字段名（以 ,@ 结尾）说明各列`,
    `Line ${line}: the parcel header's fields cannot be mapped: expected "point count,area,number,name,geometry (面/线/点),map sheet,use,land class,@", but ${why.en}; found "${shown}". A line of field names (ending in ,@) at the top of [地块坐标] can name the columns`,
  );
}

interface ParcelDraft {
  line: number;
  pointCount: number | undefined;
  area: { ha: number; unit: AreaUnit; explicit: boolean } | undefined;
  areaText: string;
  code: string;
  name: string;
  shape: string;
  mapSheet: string;
  use: string;
  landClassCode: string;
  extras: Record<string, PropertyValue>;
  rings: Map<number, RawPosition[]>;
}

function parcelOf(fields: string[], line: number, layout: Layout | undefined, warnings: ParseWarning[]): ParcelDraft {
  const columns = layout ? fields.map((_, i) => layout.columns[i] ?? { key: `extra_${i + 1}` }) : columnsByContent(fields, line);
  const value = (role: Role) => {
    const i = columns.findIndex((c) => 'role' in c && c.role === role);
    return i >= 0 ? (fields[i] ?? '') : '';
  };
  const count = value('count');
  const pointCount = parseNumber(count);
  if (count && (pointCount === undefined || !Number.isInteger(pointCount))) {
    throw new ParseError('BOUNDARY_BAD_LINE', `第 ${line} 行地块头的界址点数“${count}”不是整数`, `Line ${line}: the parcel header's point count "${count}" is not an integer`);
  }
  const areaText = value('area');
  const area = areaText ? parseArea(areaText, layout?.areaUnit ?? 'ha') : undefined;
  const extras: Record<string, PropertyValue> = {};
  columns.forEach((c, i) => {
    if ('key' in c && fields[i]) extras[c.key] = fields[i]!;
  });
  const draft: ParcelDraft = {
    line,
    pointCount,
    area,
    areaText,
    code: value('code'),
    name: value('name'),
    shape: value('shape'),
    mapSheet: value('mapSheet'),
    use: value('use'),
    landClassCode: value('landClassCode'),
    extras,
    rings: new Map(),
  };
  if (areaText && !area) {
    const label = draft.name || draft.code || `第 ${line} 行`;
    const labelEn = draft.code || draft.name || `line ${line}`;
    warnings.push(
      warn(
        'AREA_UNREADABLE',
        `地块“${label}”（第 ${line} 行）的面积“${areaText}”不是带已知单位（公顷、亩、平方米）的数字，未与坐标面积核对`,
        `Parcel "${labelEn}" (line ${line}): the area "${areaText}" is not a number with a known unit (公顷 ha, 亩 mu, 平方米 m²); not checked against the coordinates`,
      ),
    );
  }
  return draft;
}

const UNIT_NAMES: Record<AreaUnit, { zh: string; en: string }> = { ha: { zh: '公顷', en: 'ha' }, mu: { zh: '亩', en: 'mu' }, m2: { zh: '平方米', en: 'm²' } };

/**
 * Reads a boundary-point coordinate file (already decoded to text).
 *
 * @example readBoundaryPoints(text, 'gbk')
 */
export function readBoundaryPoints(text: string, encoding?: DetectedEncoding): RawRead {
  const warnings: ParseWarning[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  const attrs: Record<string, string> = {};
  const attrLines: Record<string, number> = {};
  const parcels: ParcelDraft[] = [];
  let layout: Layout | undefined;
  let section = '';
  let sawCoordinates = false;
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = normaliseLine(raw);
    if (!line) return;
    const sectionName = /^\[\s*(.+?)\s*\]$/.exec(line)?.[1];
    if (sectionName) {
      section = normaliseKey(sectionName);
      if (section === '地块坐标') sawCoordinates = true;
      return;
    }
    if (section === '属性描述') {
      const eq = line.indexOf('=');
      if (eq > 0) {
        const key = line.slice(0, eq).trim();
        attrs[key] = line.slice(eq + 1).trim();
        attrLines[key] = lineNo;
      }
      return;
    }
    if (section !== '地块坐标') return;
    const fields = line.replace(/,\s*$/, '').split(',').map((f) => f.trim());
    // a header line ends in "@" — its own field, or stuck to the last one ("…,0601@")
    const last = fields[fields.length - 1] ?? '';
    if (last === '@' || (last.endsWith('@') && fields.length >= 3)) {
      const head = last === '@' ? fields.slice(0, -1) : [...fields.slice(0, -1), last.slice(0, -1).trim()];
      const named = layoutOf(head, lineNo);
      if (named) layout = named;
      else parcels.push(parcelOf(head, lineNo, layout, warnings));
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
      throw new ParseError('COORD_NOT_NUMBER', `第 ${lineNo} 行坐标不是数字：“${bad}”`, `Line ${lineNo}: the coordinate is not a number: "${bad}"`);
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

  const allPoints = parcels.flatMap((p) => [...p.rings.values()].flat());
  const declared = declaredFromAttributes(attrs, warnings, { lines: attrLines, points: allPoints });
  const features: RawFeature[] = [];
  const skipped: string[] = [];
  for (const p of parcels) {
    const label = p.name || p.code || `第 ${p.line} 行`;
    const labelEn = p.code || p.name || `line ${p.line}`;
    const kind = p.shape ? shapeKind(p.shape) : 'polygon';
    if (kind !== 'polygon') {
      skipped.push(p.shape);
      warnings.push(warn('SKIPPED_NON_POLYGON', `地块“${label}”的图形属性为“${p.shape}”而不是“面”，已忽略`, `Parcel "${labelEn}" is a "${p.shape}", not a polygon (面); skipped`));
      continue;
    }
    if (p.rings.size === 0) {
      throw new ParseError('BOUNDARY_NO_POINTS', `第 ${p.line} 行的地块“${label}”没有界址点`, `The parcel "${labelEn}" on line ${p.line} has no points`);
    }
    const total = [...p.rings.values()].reduce((n, r) => n + r.length, 0);
    if (p.pointCount !== undefined && p.pointCount !== total) {
      warnings.push(
        warn('POINT_COUNT_MISMATCH', `地块“${label}”的头行写有 ${p.pointCount} 个界址点，实际读到 ${total} 个`, `Parcel "${labelEn}": the header says ${p.pointCount} points, ${total} were read`),
      );
    }
    const rings = [...p.rings.entries()]
      .sort(([a], [b]) => a - b)
      .map(([n, pts]) => {
        if (!isClosed(pts) && pts.length > 2) {
          warnings.push(warn('RING_CLOSED', `地块“${label}”第 ${n} 圈首尾点不一致，已自动闭合`, `Parcel "${labelEn}" ring ${n} was not closed; closed it`));
          return closeRing(pts);
        }
        return pts;
      });
    const polygons = groupRings(rings);
    const projected = rings.every((r) => r.every((pt) => kindOfPair(pt) === 'projected'));
    const planeM2 = projected ? planeArea(polygons) : undefined;
    const headerHa = p.area?.ha;
    if (planeM2 !== undefined && headerHa !== undefined && headerHa > 0) {
      const planeHa = planeM2 / M2_PER_HA;
      const diff = Math.abs(planeHa - headerHa) / headerHa;
      if (diff > AREA_TOLERANCE) {
        const pct = num(diff * 100, 1);
        const written = p.area!.explicit || p.area!.unit !== 'ha' ? `${p.areaText}（${num(headerHa, 4)} 公顷）` : `${headerHa} 公顷`;
        const writtenEn = p.area!.explicit || p.area!.unit !== 'ha' ? `${p.areaText} (${num(headerHa, 4)} ha)` : `${headerHa} ha`;
        // a plain number that matches in another unit: the likelier mistake
        const other = !p.area!.explicit ? (['mu', 'm2'] as const).find((u) => u !== p.area!.unit && Math.abs(parseArea(p.areaText, u)!.ha - planeHa) / planeHa <= AREA_TOLERANCE) : undefined;
        const hint = other ? { zh: `；若面积单位为${UNIT_NAMES[other].zh}则相符`, en: `; it matches if the area is in ${UNIT_NAMES[other].en}` } : { zh: '', en: '' };
        warnings.push(
          warn(
            'AREA_MISMATCH',
            `地块“${label}”头行面积 ${written}，按坐标计算的平面面积为 ${roundTo(planeHa, 4).toFixed(4)} 公顷，相差 ${pct}%${hint.zh}；请核对坐标或面积`,
            `Parcel "${labelEn}": the header says ${writtenEn}, the plane area from the coordinates is ${roundTo(planeHa, 4).toFixed(4)} ha (${pct} % apart)${hint.en}; check the coordinates or the area`,
          ),
        );
      }
    }
    const explicitArea = p.area && (p.area.explicit || p.area.unit !== 'ha');
    features.push({
      properties: {
        code: p.code || null,
        name: p.name || null,
        use: p.use || null,
        land_class_code: p.landClassCode || null,
        map_sheet: p.mapSheet || null,
        header_area_ha: headerHa ?? null,
        ...(explicitArea || (p.areaText && !p.area) ? { header_area_text: p.areaText } : {}),
        plane_area_ha: planeM2 !== undefined ? roundTo(planeM2 / M2_PER_HA, 4) : null,
        point_count: total,
        ...p.extras,
      },
      polygons,
    });
  }
  if (features.length === 0) {
    const kinds = [...new Set(skipped)].map((s) => `“${s}”`).join('、');
    throw new ParseError(
      'BOUNDARY_NO_POINTS',
      `界址点文件中没有面状地块：${skipped.length} 个地块的图形属性都是${kinds}`,
      `The boundary-point file holds no polygon parcel: the geometry of all ${skipped.length} parcels is ${[...new Set(skipped)].map((s) => `"${s}"`).join(', ')}`,
    );
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
