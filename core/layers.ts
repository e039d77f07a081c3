/**
 * The layer registry: the single source of truth for every map layer.
 *
 * Everything a layer is lives in its entry: names, table, sensitivity, tiles, attributes,
 * style and draw order; the site-check rule it feeds (and whether the compliant site is
 * trimmed of it); the columns and field names an import reads; its code prefix; its part in
 * the stock-land standing and the encroachment cases' overlaps. The server builds its
 * catalog, tile, feature, site-check, import and data-version endpoints and triggers from
 * it; the client builds its MapLibre sources, draw order, layer panel, legends and site-check
 * overlays from it. `LayerId`, `RuleId` and the zod enums are derived from it.
 * Adding a layer: docs/ARCHITECTURE.md, "Adding a layer". Table names stay on the server:
 * `publicLayerInfo()` strips them before anything is sent.
 */

/** Who may receive a layer's geometry: `restricted` layers only reach planners, auditors and admins. */
import { ADMIN_LEVEL_EN, CASE_SOURCE_EN, CASE_STATUS_EN, ECO_FUNCTION_EN, FOUR_UN_STAGE_EN, LAND_CLASS_EN, PLANNED_USE_EN, PROTECTION_TYPE_EN, STOCK_CATEGORY_EN, STOCK_STATUS_EN, UNIT_EN, type Vocabulary } from './vocabulary.ts';

export type Sensitivity = 'public' | 'restricted';

/** Panel groups, in the order the layer panel shows them. */
export const layerGroups = [
  { id: 'control', nameZh: '三条控制线', nameEn: 'Control lines' },
  { id: 'planning', nameZh: '其他规划控制线', nameEn: 'Other planning lines' },
  { id: 'farmland', nameZh: '耕地', nameEn: 'Farmland' },
  { id: 'stock', nameZh: '存量土地', nameEn: 'Stock land' },
  { id: 'enforcement', nameZh: '执法图斑', nameEn: 'Enforcement' },
  { id: 'admin', nameZh: '行政区划', nameEn: 'Administrative units' },
] as const satisfies readonly { id: string; nameZh: string; nameEn: string }[];
export type LayerGroup = (typeof layerGroups)[number]['id'];
export const LAYER_GROUP_IDS = layerGroups.map((g) => g.id) as [LayerGroup, ...LayerGroup[]];

export type AttributeType = 'text' | 'number' | 'date' | 'area';

export interface LayerAttribute {
  /** Column name in the table and property name in tiles and GeoJSON. */
  name: string;
  labelZh: string;
  labelEn: string;
  type: AttributeType;
  /** Unit shown after the value, e.g. 万元/亩. `area` attributes are m² and shown in 亩 and 公顷. */
  unit?: string;
  /** The unit in English (10,000 yuan/mu). */
  unitEn?: string;
  /** The attribute's values are words of this enumeration (core/vocabulary.ts): shown in English on English pages. */
  values?: Vocabulary;
  /** The column holding the value in English (the counties' name_en): fetched with the attribute, shown on English pages. */
  enColumn?: string;
}

export interface LayerStyle {
  fillColor: string;
  fillOpacity: number;
  lineColor: string;
  lineWidth: number;
  /** MapLibre line-dasharray, in line widths. */
  lineDash?: number[];
}

/**
 * How a site check judges a site against the layer (docs/domain.md, "The rules a site check
 * applies"):
 * - `forbidden`: any overlap is a conflict (permanent farmland);
 * - `permit`: an overlap needs a permit or an assessment — a warning (red line, 城市紫线);
 * - `inside`: the site should lie inside; the part outside is a warning (urban boundary);
 * - `quota`: an overlap needs compensation quota of the same 亩 — a warning (general farmland).
 */
export type RuleKind = 'forbidden' | 'permit' | 'inside' | 'quota';

export interface SiteCheckRule {
  kind: RuleKind;
  /** Place in the report, the preview and the panel (smallest first). */
  order: number;
  /** Attributes the report lists for every overlapping feature. */
  attributes: readonly string[];
  /** The compliant part of a site (合规范围) is the site without this layer. */
  trims: boolean;
  /** The rule as the policy states it. */
  textZh: string;
  textEn: string;
  /** Where the rule comes from (docs/domain.md names the document). */
  sourceZh: string;
  /**
   * The verdict sentences: `hit` when the site overlaps (for `inside`: lies partly outside),
   * `clear` otherwise. `{area}` is the overlap, `{outside}`/`{inside}` the parts of an
   * `inside` rule, `{quota}` the quota in 亩 of a `quota` rule.
   */
  hitZh: string;
  hitEn: string;
  clearZh: string;
  clearEn: string;
  /** How the site-check map and report draw and name the overlap (for `inside`: the part outside). */
  overlay: { color: string; fillOpacity: number; legendZh: string; legendEn: string };
}

/** Columns an import can fill (besides id, area_m2 and geom, which the server computes). */
export type ImportColumn =
  | 'code'
  | 'county_code'
  | 'name'
  | 'category'
  | 'land_class_code'
  | 'land_class_name'
  | 'quality_grade'
  | 'source'
  | 'vintage'
  // the stock-land library's ledger columns
  | 'four_un_stage'
  | 'planned_use'
  | 'plot_ratio_min'
  | 'plot_ratio_max'
  | 'approval_no'
  | 'approval_date'
  | 'status'
  | 'ref_price'
  | 'zone_name'
  | 'contact_dept'
  | 'recorded_on'
  // administrative units
  | 'level'
  | 'name_en';

/**
 * The field names an import reads for each column, compared in lower case, first found
 * wins: the 第三次全国国土调查 style codes (BSM, DLBM, DLMC, ZLDWDM …), their Chinese names
 * and our own column names. A layer adds its own in `import.aliases`, tried before these.
 */
export const IMPORT_FIELD_ALIASES: Record<ImportColumn, readonly string[]> = {
  code: ['code', 'bsm', 'tbbh', 'tbybh', '图斑编号', '标识码', '编号'],
  county_code: ['county_code', 'xzqdm', 'zldwdm', 'qxdm', '县区代码', '行政区代码', '行政区划代码', '坐落单位代码'],
  name: ['name', 'mc', '名称'],
  category: ['category', 'lx', '类型'],
  land_class_code: ['land_class_code', 'dlbm', '地类编码'],
  land_class_name: ['land_class_name', 'dlmc', '地类名称'],
  quality_grade: ['quality_grade', 'gdzldb', 'zldb', 'gddb', 'zldj', '耕地质量等别', '质量等别', '耕地等别'],
  source: ['source', 'sjly', '数据来源'],
  vintage: ['vintage', 'nf', 'sjnf', 'year', '数据年份', '年份'],
  four_un_stage: ['four_un_stage', 'swjd', '四未阶段', '“四未”阶段', '四未类型'],
  planned_use: ['planned_use', 'ghyt', 'tdyt', '规划用途', '土地用途', '用途'],
  plot_ratio_min: ['plot_ratio_min', 'rjlxx', 'rjlmin', '容积率下限', '最小容积率'],
  plot_ratio_max: ['plot_ratio_max', 'rjlsx', 'rjlmax', 'rjl', '容积率上限', '最大容积率', '容积率'],
  approval_no: ['approval_no', 'pzwh', 'pfwh', '批准文号', '批复文号'],
  approval_date: ['approval_date', 'pzrq', 'pfrq', '批准日期', '批复日期', '批准时间'],
  status: ['status', 'gyzt', 'zt', '供应状态', '状态'],
  ref_price: ['ref_price', 'ckjg', 'jg', '参考价格', '参考价', '价格'],
  zone_name: ['zone_name', 'yqmc', 'szyq', '所在园区', '园区名称', '园区'],
  contact_dept: ['contact_dept', 'lxbm', '联系部门', '联系单位'],
  recorded_on: ['recorded_on', 'rkrq', '入库日期', '入库时间'],
  level: ['level', 'jb', 'xzqjb', '级别', '行政区级别'],
  name_en: ['name_en', 'ywmc', 'ename', '英文名称', '英文名'],
};

export interface LayerImport {
  /** The table's columns an import fills, in order (each also an attribute). */
  columns: readonly ImportColumn[];
  /** Prefix of the codes given to features whose file has none (the layer's pinyin initials). */
  codePrefix: string;
  /** Field names of this layer's own, tried before the shared ones (lower case). */
  aliases?: Partial<Record<ImportColumn, readonly string[]>>;
  /** Value of `name` for a feature whose file has none (followed by its row number). */
  defaultName?: string;
  /** Value of `category` for a feature whose file has none. */
  defaultCategory?: string;
  /** Columns a feature must have a value for (else it is left out, the reason named). */
  required?: readonly ImportColumn[];
  /** Values a column may take (the layer's own vocabulary; others are refused, the reason named). */
  allowed?: Partial<Record<ImportColumn, readonly string[]>>;
  /** Values of columns a feature's file has none for. */
  defaults?: Partial<Record<ImportColumn, string>>;
  /** The code is the county's own division code (the counties themselves): six digits, no county looked up. */
  codeIsCounty?: boolean;
}

/** What an entry declares (the id is its key in the registry). */
export interface LayerSpec {
  nameZh: string;
  nameEn: string;
  /** The English name inside a sentence ("the ecological protection red line"); default: nameEn in lower case. */
  nameEnInSentence?: string;
  group: LayerGroup;
  /** Database table (server only). */
  table: string;
  geometryType: 'MultiPolygon';
  srid: 4490;
  sensitivity: Sensitivity;
  /** Lowest zoom at which tiles carry features. */
  minZoom: number;
  /** Most features one vector tile may carry before it is thinned. */
  maxFeaturesPerTile: number;
  /** Column holding the feature's public identifier (图斑编号, parcel code …). */
  codeColumn: string;
  /** Attributes exposed in popups and feature queries, in display order. */
  attributes: readonly LayerAttribute[];
  /** The few attributes vector tiles carry (the popup fetches the rest): keeps tiles small. */
  tileAttributes: readonly string[];
  style: LayerStyle;
  /** Place in the map, bottom (smallest) to top; fills below all lines. Unique. */
  drawOrder: number;
  /** Shown when the map first opens. */
  visibleByDefault: boolean;
  /** The site-check rule this layer feeds, if any. */
  rule?: SiteCheckRule;
  /** An administrator may replace the layer by importing a file (versions kept). */
  import?: LayerImport;
  /**
   * Its part in stock_standing (how each stock parcel stands against the lines, rebuilt when
   * one of these layers changes): `parcels` the stock parcels themselves, `boundary-share` the
   * boundary polygon holding most of a parcel and its share, `overlap` the parcel's overlap
   * in m², column `<table>_m2`.
   */
  stockStanding?: 'parcels' | 'boundary-share' | 'overlap';
  /** Encroachment cases list every feature of this layer they overlap (case_overlap). */
  caseOverlap?: boolean;
  /**
   * The rows the map, feature queries, identify and search serve, as an SQL condition on the
   * table's own columns (stock land: a parcel retired by a split or merge, 已注销, is kept for
   * its history and served nowhere). Absent: every row.
   */
  servedWhere?: string;
}

export interface LayerDefinition extends LayerSpec {
  id: LayerId;
}

const area: LayerAttribute = { name: 'area_m2', labelZh: '面积', labelEn: 'Area', type: 'area' };
const county: LayerAttribute = { name: 'county_code', labelZh: '县区代码', labelEn: 'County code', type: 'text' };
const source: LayerAttribute = { name: 'source', labelZh: '数据来源', labelEn: 'Source', type: 'text' };
const vintage: LayerAttribute = { name: 'vintage', labelZh: '数据年份', labelEn: 'Vintage', type: 'text' };

const farmlandAttributes = (codeLabel: string): LayerAttribute[] => [
  { name: 'code', labelZh: codeLabel, labelEn: 'Patch number', type: 'text' },
  county,
  { name: 'land_class_code', labelZh: '地类编码', labelEn: 'Land class code', type: 'text' },
  { name: 'land_class_name', labelZh: '地类名称', labelEn: 'Land class', type: 'text', values: LAND_CLASS_EN },
  { name: 'quality_grade', labelZh: '耕地质量等别', labelEn: 'Quality grade', type: 'number' },
  area,
  source,
  vintage,
];

/** Permanent and general farmland share their shape: fields with a land class, restricted. */
function farmlandLayer<const L extends Pick<LayerSpec, 'nameZh' | 'nameEn' | 'group' | 'table' | 'style' | 'drawOrder' | 'visibleByDefault' | 'rule' | 'import'> & { codePrefix: string }>(l: L) {
  const { codePrefix, ...rest } = l;
  return {
    ...rest,
    geometryType: 'MultiPolygon',
    srid: 4490,
    sensitivity: 'restricted',
    // fields are tens of metres across: legible from z14, where a city-scale tile holds ~1 200
    // of them (z13 ~4 700, with a tile p95 over 50 ms on PostGIS; see docs/PERFORMANCE.md)
    minZoom: 14,
    maxFeaturesPerTile: 8_000,
    codeColumn: 'code',
    attributes: farmlandAttributes('图斑编号'),
    tileAttributes: ['code', 'land_class_name', 'area_m2'],
    import: {
      columns: ['code', 'county_code', 'land_class_code', 'land_class_name', 'quality_grade', 'source', 'vintage'],
      codePrefix,
    },
    stockStanding: 'overlap',
    caseOverlap: true,
  } as const satisfies LayerSpec;
}

/** Keyed by layer id, in the order the panel lists a group's layers. */
const registry = {
  'urban-boundary': {
    nameZh: '城镇开发边界',
    nameEn: 'Urban development boundary',
    nameEnInSentence: 'the urban development boundary',
    group: 'control',
    table: 'urban_boundary',
    geometryType: 'MultiPolygon',
    srid: 4490,
    // Published with the approved territorial spatial plan (国土空间总体规划 is made public),
    // so its geometry is public; farmland and red-line vectors are not.
    sensitivity: 'public',
    minZoom: 6,
    maxFeaturesPerTile: 500,
    codeColumn: 'code',
    attributes: [
      { name: 'code', labelZh: '图斑编号', labelEn: 'Patch number', type: 'text' },
      { name: 'name', labelZh: '名称', labelEn: 'Name', type: 'text' },
      county,
      area,
      source,
      vintage,
    ],
    tileAttributes: ['code', 'name', 'county_code'],
    style: { fillColor: '#e8590c', fillOpacity: 0.08, lineColor: '#e8590c', lineWidth: 2, lineDash: [3, 2] },
    drawOrder: 50,
    visibleByDefault: true,
    rule: {
      kind: 'inside',
      order: 30,
      attributes: ['county_code', 'name'],
      trims: false,
      textZh:
        '城镇开发边界内按详细规划开展城镇建设；边界外仅限确需单独选址的项目（线性基础设施、战略储备、旅游、防灾减灾设施等），纳入动态管理。',
      textEn:
        'Inside the boundary, ordinary urban construction under the detailed plan; outside it, only projects with a special siting need (linear infrastructure, strategic reserves, tourism, disaster-prevention facilities), counted in dynamic management.',
      sourceZh: '自然资源部《关于在国土空间规划中统筹划定落实三条控制线的指导意见》',
      hitZh: '位于城镇开发边界外 {outside}，边界内 {inside}；边界外部分须符合单独选址条件。',
      hitEn: '{outside} lies outside the urban development boundary, {inside} inside: the outside part needs a special-siting justification.',
      clearZh: '全部位于城镇开发边界内。',
      clearEn: 'Entirely inside the urban development boundary.',
      overlay: { color: '#e8590c', fillOpacity: 0.25, legendZh: '城镇开发边界外', legendEn: 'Outside the urban boundary' },
    },
    import: {
      columns: ['code', 'county_code', 'name', 'source', 'vintage'],
      codePrefix: 'CZKFBJ',
      aliases: { name: ['kfbjmc', '边界名称'] },
      defaultName: '城镇开发边界',
    },
    stockStanding: 'boundary-share',
    caseOverlap: true,
  },
  'permanent-farmland': farmlandLayer({
    nameZh: '永久基本农田',
    nameEn: 'Permanent basic farmland',
    group: 'control',
    table: 'permanent_farmland',
    style: { fillColor: '#f2c94c', fillOpacity: 0.55, lineColor: '#b7950b', lineWidth: 0.5 },
    drawOrder: 20,
    visibleByDefault: true,
    codePrefix: 'YJJBNT',
    rule: {
      kind: 'forbidden',
      order: 10,
      attributes: ['county_code', 'land_class_code', 'land_class_name'],
      trims: true,
      textZh:
        '永久基本农田实行特殊保护，一般建设项目不得占用；确需占用的，仅限经批准的国家重大项目，并按数量不减、质量不降的要求补划。',
      textEn:
        'Permanent basic farmland is under special protection: ordinary projects may not occupy it; only approved major projects may, with re-designation of as much farmland of the same quality.',
      sourceZh: '《基本农田保护条例》；自然资源部《关于在国土空间规划中统筹划定落实三条控制线的指导意见》',
      hitZh: '占用永久基本农田 {area}，一般建设项目不得占用。',
      hitEn: 'Occupies {area} of permanent basic farmland: not approvable for an ordinary project.',
      clearZh: '不占用永久基本农田。',
      clearEn: 'Does not occupy permanent basic farmland.',
      overlay: { color: '#e03131', fillOpacity: 0.6, legendZh: '占用永久基本农田', legendEn: 'Permanent farmland taken' },
    },
  }),
  'eco-redline': {
    nameZh: '生态保护红线',
    nameEn: 'Ecological protection red line',
    nameEnInSentence: 'the ecological protection red line',
    group: 'control',
    table: 'eco_redline',
    geometryType: 'MultiPolygon',
    srid: 4490,
    sensitivity: 'restricted',
    minZoom: 6,
    maxFeaturesPerTile: 2_000,
    codeColumn: 'code',
    attributes: [
      { name: 'code', labelZh: '图斑编号', labelEn: 'Patch number', type: 'text' },
      { name: 'name', labelZh: '名称', labelEn: 'Name', type: 'text' },
      { name: 'category', labelZh: '生态功能类型', labelEn: 'Ecological function', type: 'text', values: ECO_FUNCTION_EN },
      county,
      area,
      source,
      vintage,
    ],
    tileAttributes: ['code', 'name', 'category'],
    style: { fillColor: '#2f9e44', fillOpacity: 0.35, lineColor: '#c92a2a', lineWidth: 1.5 },
    drawOrder: 30,
    visibleByDefault: true,
    rule: {
      kind: 'permit',
      order: 20,
      attributes: ['county_code', 'name', 'category'],
      trims: true,
      textZh: '生态保护红线内仅允许有限人为活动，须在用地预审阶段开展有限人为活动论证（不可避让论证）。',
      textEn:
        'Inside the ecological protection red line only limited human activity is allowed, and it needs a limited-human-activity assessment at the pre-examination stage.',
      sourceZh: '自然资源部 生态环境部 国家林业和草原局《关于加强生态保护红线管理的通知（试行）》',
      hitZh: '涉及生态保护红线 {area}，须开展有限人为活动论证。',
      hitEn: 'Touches the ecological red line over {area}: a limited-human-activity assessment is required.',
      clearZh: '不涉及生态保护红线。',
      clearEn: 'Does not touch the ecological red line.',
      overlay: { color: '#9c36b5', fillOpacity: 0.55, legendZh: '涉及生态保护红线', legendEn: 'Red line touched' },
    },
    import: {
      columns: ['code', 'county_code', 'name', 'category', 'source', 'vintage'],
      codePrefix: 'STBHHX',
      aliases: { name: ['hxmc', '红线名称'], category: ['sthxlx', 'gnlx', '生态功能类型', '功能类型'] },
      defaultName: '生态保护红线',
      defaultCategory: '未分类',
    },
    stockStanding: 'overlap',
    caseOverlap: true,
  },
  'purple-line': {
    nameZh: '城市紫线',
    nameEn: 'Historic conservation line',
    nameEnInSentence: 'the historic conservation line',
    group: 'planning',
    table: 'purple_line',
    geometryType: 'MultiPolygon',
    srid: 4490,
    // The protection ranges of historic districts and listed buildings are delineated by the
    // planning bureau for its own control; like the red line, the vectors stay inside.
    sensitivity: 'restricted',
    // the ranges are 100 m–1.5 km across: from z11 (~75 m a pixel) the smallest is a few pixels
    minZoom: 11,
    maxFeaturesPerTile: 1_000,
    codeColumn: 'code',
    attributes: [
      { name: 'code', labelZh: '紫线编号', labelEn: 'Line number', type: 'text' },
      { name: 'name', labelZh: '保护对象名称', labelEn: 'Protected site', type: 'text' },
      { name: 'category', labelZh: '保护类型', labelEn: 'Protection type', type: 'text', values: PROTECTION_TYPE_EN },
      county,
      area,
      source,
      vintage,
    ],
    tileAttributes: ['code', 'name', 'category'],
    style: { fillColor: '#ae3ec9', fillOpacity: 0.18, lineColor: '#862e9c', lineWidth: 1.5, lineDash: [2, 1] },
    drawOrder: 40,
    visibleByDefault: false,
    rule: {
      kind: 'permit',
      order: 50,
      attributes: ['county_code', 'name', 'category'],
      trims: false,
      textZh:
        '城市紫线范围内不得擅自新建、扩建、改建；确需建设的，须经城乡规划主管部门会同文物主管部门审批（历史文化保护审批）。',
      textEn:
        'Inside the historic conservation line nothing may be built, extended or rebuilt without approval: a project needs the heritage approval of the planning authority together with the cultural-heritage authority.',
      sourceZh: '《城市紫线管理办法》（建设部令第119号）；《开封市国土空间总体规划（2021—2035年）》',
      hitZh: '涉及城市紫线 {area}，须取得历史文化保护审批。',
      hitEn: 'Touches the historic conservation line over {area}: heritage approval is required.',
      clearZh: '不涉及城市紫线。',
      clearEn: 'Does not touch the historic conservation line.',
      overlay: { color: '#5f3dc4', fillOpacity: 0.5, legendZh: '涉及城市紫线', legendEn: 'Conservation line touched' },
    },
    import: {
      columns: ['code', 'county_code', 'name', 'category', 'source', 'vintage'],
      codePrefix: 'CSZX',
      aliases: { code: ['zxbh', '紫线编号'], name: ['bhdx', 'bhdxmc', '保护对象', '保护对象名称'], category: ['bhlx', '保护类型'] },
      defaultName: '城市紫线',
      defaultCategory: '未分类',
    },
  },
  'general-farmland': farmlandLayer({
    nameZh: '一般耕地',
    nameEn: 'General farmland',
    group: 'farmland',
    table: 'general_farmland',
    style: { fillColor: '#c5e1a5', fillOpacity: 0.5, lineColor: '#7cb342', lineWidth: 0.5 },
    drawOrder: 10,
    visibleByDefault: false,
    codePrefix: 'YBGD',
    rule: {
      kind: 'quota',
      order: 40,
      attributes: ['county_code', 'land_class_code', 'land_class_name'],
      trims: false,
      textZh: '占用一般耕地须落实占补平衡（先补后占、占一补一、占优补优），补充耕地指标面积不少于占用面积；选址宜优先避让耕地。',
      textEn:
        'Occupying general farmland needs occupation–compensation balance (compensation before occupation, area for area, quality for quality): compensation quota at least equal to the occupied area; sites should prefer non-farmland.',
      sourceZh: '《中华人民共和国土地管理法》第三十条；自然资源部 农业农村部《关于改革完善耕地占补平衡制度的通知》',
      hitZh: '占用一般耕地 {area}，须落实耕地占补平衡指标 {quota} 亩。',
      hitEn: 'Occupies {area} of general farmland: compensation quota of {quota} mu is needed.',
      clearZh: '不占用一般耕地。',
      clearEn: 'Does not occupy general farmland.',
      overlay: { color: '#f59f00', fillOpacity: 0.55, legendZh: '占用一般耕地', legendEn: 'General farmland taken' },
    },
  }),
  'stock-parcel': {
    nameZh: '存量土地',
    nameEn: 'Stock land',
    group: 'stock',
    table: 'stock_parcel',
    geometryType: 'MultiPolygon',
    srid: 4490,
    sensitivity: 'public',
    minZoom: 8,
    // 4 000 parcels with their tile attributes stay under 500 KB (measured by bench/tiles)
    maxFeaturesPerTile: 4_000,
    codeColumn: 'code',
    attributes: [
      { name: 'code', labelZh: '地块编号', labelEn: 'Parcel code', type: 'text' },
      { name: 'name', labelZh: '地块名称', labelEn: 'Parcel name', type: 'text' },
      county,
      { name: 'category', labelZh: '存量类型', labelEn: 'Category', type: 'text', values: STOCK_CATEGORY_EN },
      { name: 'four_un_stage', labelZh: '“四未”阶段', labelEn: '"Four un-" stage', type: 'text', values: FOUR_UN_STAGE_EN },
      { name: 'planned_use', labelZh: '规划用途', labelEn: 'Planned use', type: 'text', values: PLANNED_USE_EN },
      area,
      { name: 'plot_ratio_min', labelZh: '容积率下限', labelEn: 'Plot ratio (min)', type: 'number' },
      { name: 'plot_ratio_max', labelZh: '容积率上限', labelEn: 'Plot ratio (max)', type: 'number' },
      { name: 'approval_no', labelZh: '批准文号', labelEn: 'Approval number', type: 'text' },
      { name: 'approval_date', labelZh: '批准日期', labelEn: 'Approval date', type: 'date' },
      { name: 'status', labelZh: '供应状态', labelEn: 'Status', type: 'text', values: STOCK_STATUS_EN },
      { name: 'ref_price', labelZh: '参考价格', labelEn: 'Reference price', type: 'number', unit: '万元/亩', unitEn: UNIT_EN['万元/亩'] },
      { name: 'zone_name', labelZh: '所在园区', labelEn: 'Development zone', type: 'text' },
      { name: 'contact_dept', labelZh: '联系部门', labelEn: 'Contact department', type: 'text' },
      { name: 'recorded_on', labelZh: '入库日期', labelEn: 'Entered the ledger', type: 'date' },
    ],
    tileAttributes: ['code', 'category', 'planned_use', 'status', 'area_m2'],
    style: { fillColor: '#1c7ed6', fillOpacity: 0.45, lineColor: '#1864ab', lineWidth: 1 },
    drawOrder: 60,
    visibleByDefault: true,
    import: {
      columns: ['code', 'county_code', 'name', 'category', 'four_un_stage', 'planned_use', 'plot_ratio_min', 'plot_ratio_max', 'approval_no', 'approval_date', 'status', 'ref_price', 'zone_name', 'contact_dept', 'recorded_on'],
      codePrefix: 'CLTD',
      aliases: { code: ['dkbh', '地块编号', '宗地编号', 'zdbh'], name: ['dkmc', '地块名称', '宗地名称', 'xmmc', '项目名称'], category: ['cllx', 'tdlx', '存量类型', '存量土地类型', '土地类型'] },
      defaultName: '存量地块',
      required: ['category', 'planned_use'],
      allowed: {
        category: Object.keys(STOCK_CATEGORY_EN),
        four_un_stage: Object.keys(FOUR_UN_STAGE_EN),
        planned_use: Object.keys(PLANNED_USE_EN),
        status: Object.keys(STOCK_STATUS_EN),
      },
      defaults: { status: '可供应', contact_dept: '自然资源和规划局' },
    },
    stockStanding: 'parcels',
    caseOverlap: true,
    servedWhere: "status <> '已注销'",
  },
  encroachment: {
    nameZh: '违法占地图斑',
    nameEn: 'Encroachment polygons',
    group: 'enforcement',
    table: 'encroachment',
    geometryType: 'MultiPolygon',
    srid: 4490,
    sensitivity: 'restricted',
    minZoom: 8,
    maxFeaturesPerTile: 5_000,
    codeColumn: 'code',
    attributes: [
      { name: 'code', labelZh: '图斑编号', labelEn: 'Case code', type: 'text' },
      county,
      { name: 'source', labelZh: '线索来源', labelEn: 'Source', type: 'text', values: CASE_SOURCE_EN },
      { name: 'detected_on', labelZh: '发现日期', labelEn: 'Detected on', type: 'date' },
      { name: 'status', labelZh: '核查状态', labelEn: 'Status', type: 'text', values: CASE_STATUS_EN },
      area,
    ],
    tileAttributes: ['code', 'source', 'status', 'detected_on', 'area_m2'],
    style: { fillColor: '#e03131', fillOpacity: 0.5, lineColor: '#a61e4d', lineWidth: 1.5 },
    drawOrder: 70,
    visibleByDefault: false,
  },
  'admin-county': {
    nameZh: '县级行政区',
    nameEn: 'Counties and districts',
    group: 'admin',
    table: 'admin_county',
    geometryType: 'MultiPolygon',
    srid: 4490,
    sensitivity: 'public',
    minZoom: 0,
    maxFeaturesPerTile: 100,
    codeColumn: 'code',
    attributes: [
      { name: 'code', labelZh: '行政区划代码', labelEn: 'Division code', type: 'text' },
      { name: 'name', labelZh: '名称', labelEn: 'Name', type: 'text', enColumn: 'name_en' },
      { name: 'level', labelZh: '级别', labelEn: 'Level', type: 'text', values: ADMIN_LEVEL_EN },
      area,
      { name: 'source', labelZh: '数据来源', labelEn: 'Source', type: 'text' },
    ],
    tileAttributes: ['code', 'name'],
    style: { fillColor: '#868e96', fillOpacity: 0, lineColor: '#495057', lineWidth: 1.5, lineDash: [4, 2, 1, 2] },
    drawOrder: 0,
    visibleByDefault: true,
    import: {
      columns: ['code', 'name', 'name_en', 'level', 'source'],
      codePrefix: 'XZQ',
      aliases: { code: ['xzqdm', 'xzqhdm', '行政区划代码', '行政区代码', 'pac', 'adcode'], name: ['xzqmc', '行政区名称', '名称'] },
      required: ['code', 'name'],
      allowed: { level: Object.keys(ADMIN_LEVEL_EN) },
      defaults: { level: '县', name_en: '' },
      codeIsCounty: true,
    },
  },
  // Townships and villages: public like the counties (行政区划 are published). The seed's are
  // generated (seeds/lib/admin-units.ts); an import replaces them with the bureau's, read from
  // the 第三次全国国土调查 行政区 layers (XZQDM/XZQMC) or our own column names.
  township: {
    nameZh: '乡镇级行政区',
    nameEn: 'Townships',
    group: 'admin',
    table: 'admin_township',
    geometryType: 'MultiPolygon',
    srid: 4490,
    sensitivity: 'public',
    // a township is 5–15 km across: a few pixels at z8, legible from z9
    minZoom: 9,
    maxFeaturesPerTile: 500,
    codeColumn: 'code',
    attributes: [
      { name: 'code', labelZh: '行政区划代码', labelEn: 'Division code', type: 'text' },
      { name: 'name', labelZh: '名称', labelEn: 'Name', type: 'text' },
      county,
      area,
      source,
      vintage,
    ],
    tileAttributes: ['code', 'name'],
    style: { fillColor: '#868e96', fillOpacity: 0, lineColor: '#868e96', lineWidth: 1, lineDash: [3, 2] },
    drawOrder: 2,
    visibleByDefault: false,
    import: {
      columns: ['code', 'county_code', 'name', 'source', 'vintage'],
      codePrefix: 'XZJ',
      aliases: { code: ['xzqdm', 'xzdm', '乡镇代码'], name: ['xzqmc', 'xzmc', '乡镇名称'] },
      defaultName: '乡镇',
    },
  },
  village: {
    nameZh: '村级行政区',
    nameEn: 'Villages',
    group: 'admin',
    table: 'admin_village',
    geometryType: 'MultiPolygon',
    srid: 4490,
    sensitivity: 'public',
    // villages are 1–4 km across: from z12 (~38 m a pixel)
    minZoom: 12,
    maxFeaturesPerTile: 1_000,
    codeColumn: 'code',
    attributes: [
      { name: 'code', labelZh: '行政区划代码', labelEn: 'Division code', type: 'text' },
      { name: 'name', labelZh: '名称', labelEn: 'Name', type: 'text' },
      { name: 'township_code', labelZh: '乡镇代码', labelEn: 'Township code', type: 'text' },
      county,
      area,
      source,
      vintage,
    ],
    tileAttributes: ['code', 'name'],
    style: { fillColor: '#adb5bd', fillOpacity: 0, lineColor: '#adb5bd', lineWidth: 0.75, lineDash: [2, 2] },
    drawOrder: 1,
    visibleByDefault: false,
    // township_code is not imported: it is the code's first nine digits (a generated column)
    import: {
      columns: ['code', 'county_code', 'name', 'source', 'vintage'],
      codePrefix: 'CJ',
      aliases: { code: ['xzqdm', 'cdm', '村代码'], name: ['xzqmc', 'cmc', '村名称'] },
      defaultName: '村',
    },
  },
} as const satisfies Record<string, LayerSpec>;

type Registry = typeof registry;
export type LayerId = keyof Registry;
/** Layers a site check judges, by the layer's id. */
export type RuleId = { [K in LayerId]: Registry[K] extends { rule: SiteCheckRule } ? K : never }[LayerId];
/** The layer of the `inside` rule (the urban development boundary). */
export type BoundaryRuleId = { [K in LayerId]: Registry[K] extends { rule: { kind: 'inside' } } ? K : never }[LayerId];
/** Layers an administrator may replace by import. */
export type ImportableLayerId = { [K in LayerId]: Registry[K] extends { import: LayerImport } ? K : never }[LayerId];
/** Layers whose features encroachment cases list as overlaps. */
export type CaseOverlapLayerId = { [K in LayerId]: Registry[K] extends { caseOverlap: true } ? K : never }[LayerId];

export const layers: readonly LayerDefinition[] = Object.entries(registry).map(([id, spec]) => ({ id: id as LayerId, ...(spec as LayerSpec) }));

const tuple = <T extends string>(ids: T[]) => ids as [T, ...T[]];
export const LAYER_IDS = tuple(layers.map((l) => l.id));

export function getLayer(id: string): LayerDefinition | undefined {
  return layers.find((l) => l.id === id);
}

/** A layer with a rule, with the rule (site checks judge these, in `rule.order`). */
export type RuleLayer = LayerDefinition & { id: RuleId; rule: SiteCheckRule };
export const ruleLayers: readonly RuleLayer[] = layers.filter((l): l is RuleLayer => l.rule !== undefined).sort((a, b) => a.rule.order - b.rule.order);
export const RULE_IDS = tuple(ruleLayers.map((l) => l.id));
export const ruleLayer = (id: RuleId): RuleLayer => ruleLayers.find((l) => l.id === id)!;
/** The rule whose inside/outside split a check reports (the urban development boundary). */
export const BOUNDARY_RULE = ruleLayers.find((l) => l.rule.kind === 'inside')!.id as BoundaryRuleId;
/** Layers the compliant part of a site is trimmed of (合规范围 = site − these). */
export const trimmingLayers: readonly RuleLayer[] = ruleLayers.filter((l) => l.rule.trims);

/** A layer's English name as a sentence reads it. */
export const inSentenceEn = (l: Pick<LayerSpec, 'nameEn' | 'nameEnInSentence'>) => l.nameEnInSentence ?? l.nameEn.charAt(0).toLowerCase() + l.nameEn.slice(1);

/** The trimmed layers' names as a sentence reads them: 永久基本农田和生态保护红线 / permanent basic farmland and the … */
export const TRIMMED_LAYERS_ZH = trimmingLayers.map((l) => l.nameZh).join('和');
export const TRIMMED_LAYERS_EN = trimmingLayers.map((l) => inSentenceEn(l)).join(' and ');

/** The restricted layers a site check judges, named in the public report's notes (、-separated / comma-separated). */
export const RESTRICTED_RULE_LAYERS_ZH = ruleLayers.filter((l) => l.sensitivity === 'restricted').map((l) => l.nameZh).join('、');
export const RESTRICTED_RULE_LAYERS_EN = ruleLayers.filter((l) => l.sensitivity === 'restricted').map((l) => inSentenceEn(l)).join(', ');

export type ImportableLayer = LayerDefinition & { id: ImportableLayerId; import: LayerImport };
export const importableLayers: readonly ImportableLayer[] = layers.filter((l): l is ImportableLayer => l.import !== undefined);
export const IMPORTABLE_LAYER_IDS = tuple(importableLayers.map((l) => l.id));

export const CASE_OVERLAP_LAYER_IDS = tuple(layers.filter((l) => l.caseOverlap).map((l) => l.id as CaseOverlapLayerId));
/** The layers stock_standing is computed from: it is rebuilt when one of them changes. */
export const STOCK_STANDING_LAYER_IDS = tuple(layers.filter((l) => l.stockStanding).map((l) => l.id));

/** Layer ids bottom to top, as the map draws them. */
export const DRAW_ORDER: readonly LayerId[] = [...layers].sort((a, b) => a.drawOrder - b.drawOrder).map((l) => l.id);

/** The field names read for an import column of a layer, in the order tried: the layer's own (HXMC, ZXBH …), then the shared ones (BSM, MC …). */
export function importAliases(layer: ImportableLayer, column: ImportColumn): readonly string[] {
  return [...(layer.import.aliases?.[column] ?? []), ...IMPORT_FIELD_ALIASES[column]];
}

/** What the API sends about a layer: what the map, panel and legends need, no table. */
export type PublicLayerInfo = Pick<LayerDefinition, 'id' | 'nameZh' | 'nameEn' | 'group' | 'geometryType' | 'srid' | 'sensitivity' | 'minZoom' | 'maxFeaturesPerTile' | 'codeColumn' | 'style' | 'drawOrder' | 'visibleByDefault'> & {
  attributes: LayerAttribute[];
  tileAttributes: string[];
};

export function publicLayerInfo(layer: LayerDefinition): PublicLayerInfo {
  const { id, nameZh, nameEn, group, geometryType, srid, sensitivity, minZoom, maxFeaturesPerTile, codeColumn, attributes, tileAttributes, style, drawOrder, visibleByDefault } = layer;
  return { id, nameZh, nameEn, group, geometryType, srid, sensitivity, minZoom, maxFeaturesPerTile, codeColumn, attributes: [...attributes], tileAttributes: [...tileAttributes], style, drawOrder, visibleByDefault };
}
