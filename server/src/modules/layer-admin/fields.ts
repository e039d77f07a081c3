/**
 * Reading a layer's attributes from an uploaded file (图层字段对应): which of the file's fields
 * fills which column, by the names bureaus' data uses — the 第三次全国国土调查 style codes
 * (BSM, DLBM, DLMC, ZLDWDM …), their Chinese names, or our own column names. The columns,
 * the field names, the code prefix and the defaults are the layer's `import` in the registry.
 *
 * A column the file does not carry gets a default (and the summary says so); the area is
 * never read from the file: the server computes it on the ellipsoid.
 */
import type { PropertyValue, SiteProperties } from '../../formats/parsers/index.ts';
import type { ImportableLayer } from '../../../../core/contracts/layer-admin.ts';
import { getLayer, importAliases, type ImportableLayer as ImportableLayerDef, type ImportColumn } from '../../../../core/layers.ts';

export type LayerColumn = ImportColumn;

const importable = (layer: ImportableLayer) => getLayer(layer) as ImportableLayerDef;

/** The columns an importable layer's table has (besides id, area_m2 and geom). */
export const layerColumns = (layer: ImportableLayer): readonly LayerColumn[] => importable(layer).import.columns;

/** Farmland land classes (GB/T 21010) by code, for a file that has one of code or name. */
const LAND_CLASSES: Record<string, string> = { '0101': '水田', '0102': '水浇地', '0103': '旱地' };

export interface Reason {
  code: string;
  zh: string;
  en: string;
}

/** The file's fields that fill no column (the summary names them: their data is not kept). */
export function unmappedFields(sample: SiteProperties[], mapping: Partial<Record<LayerColumn, string>>): string[] {
  const used = new Set(Object.values(mapping));
  const out: string[] = [];
  for (const props of sample) for (const k of Object.keys(props)) if (!used.has(k) && !out.includes(k)) out.push(k);
  return out;
}

/** Which file field fills each column (the first feature that has one decides), for the summary. */
export function fieldMapping(layer: ImportableLayer, sample: SiteProperties[]): Partial<Record<LayerColumn, string>> {
  const out: Partial<Record<LayerColumn, string>> = {};
  const names = new Map<string, string>();
  for (const props of sample) for (const k of Object.keys(props)) if (!names.has(k.trim().toLowerCase())) names.set(k.trim().toLowerCase(), k);
  for (const col of layerColumns(layer)) {
    const hit = importAliases(importable(layer), col).find((a) => names.has(a));
    if (hit) out[col] = names.get(hit)!;
  }
  return out;
}

const text = (v: PropertyValue | undefined): string | null => {
  if (v === null || v === undefined || typeof v === 'boolean') return null;
  const s = String(v).trim();
  return s ? s : null;
};

/** Columns readRow fills by rules of their own; the rest go by their attribute's type. */
const HANDLED = new Set<LayerColumn>(['code', 'county_code', 'name', 'category', 'land_class_code', 'land_class_name', 'quality_grade', 'source', 'vintage']);

/**
 * A date as the ledger writes it, in ISO form; null when it is none.
 *
 * @example isoDate('2021/3/5') // '2021-03-05'
 * @example isoDate('20210305') // '2021-03-05'
 */
export function isoDate(text: string): string | null {
  const m = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:[T ].*)?$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export interface ReadContext {
  layer: ImportableLayer;
  mapping: Partial<Record<LayerColumn, string>>;
  /** 1-based row, for generated codes. */
  row: number;
  fileName: string;
  /** Beijing year, the vintage when the file has none. */
  year: string;
  /** Beijing day of the import (YYYY-MM-DD): a stock parcel's 入库日期 when the file has none. */
  today?: string;
  /** Known county codes; a county_code outside them is looked up from the geometry instead. */
  counties: ReadonlySet<string>;
}

/**
 * One feature's column values; `county_code` is null when the geometry must decide it.
 *
 * @example readRow({ BSM: '4102230001', DLBM: '0103', ZLDWDM: '410223100201' }, ctx)
 *   // { values: { code: '4102230001', county_code: '410223', land_class_code: '0103', land_class_name: '旱地', … }, reasons: [] }
 */
export function readRow(props: SiteProperties, ctx: ReadContext): { values: Record<LayerColumn, string | number | null>; reasons: Reason[] } {
  const reasons: Reason[] = [];
  const get = (col: LayerColumn) => (ctx.mapping[col] ? text(props[ctx.mapping[col]!]) : null);
  const values = {} as Record<LayerColumn, string | number | null>;
  const spec = importable(ctx.layer).import;
  for (const col of spec.columns) values[col] = null;

  const code = get('code');
  if (code !== null && (code.length > 64 || /\s/.test(code))) {
    reasons.push({ code: 'CODE_INVALID', zh: `编号“${code.slice(0, 70)}”无效：最多 64 个字符且不能含空格`, en: `The code "${code.slice(0, 70)}" is not valid: at most 64 characters, no spaces` });
  }
  values.code = code ?? `${spec.codePrefix}-${String(ctx.row).padStart(7, '0')}`;

  // a township or village code (12 or more digits, 坐落单位代码) starts with its county's six
  const county = get('county_code');
  const six = county && /^\d{6}/.test(county) ? county.slice(0, 6) : null;
  values.county_code = six && ctx.counties.has(six) ? six : null;

  if ('name' in values) values.name = get('name') ?? `${spec.defaultName ?? importable(ctx.layer).nameZh}${ctx.row}`;
  if ('category' in values) values.category = get('category') ?? spec.defaultCategory ?? (spec.required?.includes('category') ? null : '未分类');
  if ('land_class_code' in values) {
    let lcCode = get('land_class_code');
    let lcName = get('land_class_name');
    if (lcCode && !lcName) lcName = LAND_CLASSES[lcCode] ?? null;
    if (lcName && !lcCode) lcCode = Object.entries(LAND_CLASSES).find(([, n]) => n === lcName)?.[0] ?? null;
    values.land_class_code = lcCode ?? '01';
    values.land_class_name = lcName ?? '耕地';
    const grade = get('quality_grade');
    const n = grade === null ? NaN : Number(grade);
    values.quality_grade = Number.isInteger(n) && n >= 1 && n <= 15 ? n : null;
  }
  if ('source' in values) values.source = get('source') ?? ctx.fileName;
  if ('vintage' in values) values.vintage = get('vintage') ?? ctx.year;

  // the other columns by their attribute's type, defaults, vocabulary and whether they are required
  const def = importable(ctx.layer);
  const label = (col: LayerColumn) => {
    const a = def.attributes.find((x) => x.name === col);
    return { zh: a?.labelZh ?? col, en: a?.labelEn ?? col, type: a?.type ?? 'text' };
  };
  for (const col of spec.columns) {
    if (HANDLED.has(col)) continue;
    const raw = get(col) ?? spec.defaults?.[col] ?? null;
    const { zh, en, type } = label(col);
    if (raw === null) {
      values[col] = null;
      continue;
    }
    if (type === 'number') {
      const n = Number(raw.replace(/,/g, ''));
      if (!Number.isFinite(n)) reasons.push({ code: 'FIELD_NOT_NUMBER', zh: `${zh}“${raw.slice(0, 40)}”不是数字`, en: `${en} "${raw.slice(0, 40)}" is not a number` });
      values[col] = Number.isFinite(n) ? n : null;
    } else if (type === 'date') {
      const d = isoDate(raw);
      if (!d) reasons.push({ code: 'FIELD_NOT_DATE', zh: `${zh}“${raw.slice(0, 40)}”不是日期（应为 2024-05-01 或 20240501）`, en: `${en} "${raw.slice(0, 40)}" is not a date (2024-05-01 or 20240501)` });
      values[col] = d;
    } else values[col] = raw;
  }
  // 入库日期: the file's, else the day of the import (docs/domain.md, "The stock-land ledger")
  if ('recorded_on' in values && values.recorded_on === null) values.recorded_on = ctx.today ?? new Date().toISOString().slice(0, 10);
  for (const [col, allowed] of Object.entries(spec.allowed ?? {}) as [LayerColumn, readonly string[]][]) {
    const v = values[col];
    if (v !== null && v !== undefined && !allowed.includes(String(v))) {
      const { zh, en } = label(col);
      reasons.push({ code: 'FIELD_VALUE_NOT_ALLOWED', zh: `${zh}“${String(v).slice(0, 40)}”不是可用的值（${allowed.join('、')}）`, en: `${en} "${String(v).slice(0, 40)}" is not one of ${allowed.join(', ')}` });
    }
  }
  for (const col of spec.required ?? []) {
    if (values[col] === null || values[col] === undefined || (col === 'code' && code === null)) {
      const { zh, en } = label(col);
      reasons.push({ code: 'FIELD_MISSING', zh: `缺少${zh}`, en: `${en} is missing` });
    }
  }
  if (spec.codeIsCounty && code !== null && !/^\d{6}$/.test(code)) {
    reasons.push({ code: 'CODE_NOT_DIVISION', zh: `行政区划代码“${code.slice(0, 20)}”应为 6 位数字`, en: `The division code "${code.slice(0, 20)}" must be 6 digits` });
  }
  return { values, reasons };
}
