/**
 * The layer registry: the single source of truth for every map layer.
 *
 * The server builds its catalog, tile and feature endpoints from it; the client
 * builds its MapLibre sources, layer panel and legend from it. Table names stay
 * on the server: `publicLayerInfo()` strips them before anything is sent.
 */

export type LayerId =
  | 'admin-county'
  | 'urban-boundary'
  | 'permanent-farmland'
  | 'eco-redline'
  | 'general-farmland'
  | 'stock-parcel'
  | 'encroachment';

/** Who may receive a layer's geometry: `restricted` layers only reach planners, auditors and admins. */
export type Sensitivity = 'public' | 'restricted';

/** Panel groups, in the order the layer panel shows them. */
export type LayerGroup = 'control' | 'farmland' | 'stock' | 'enforcement' | 'admin';

export const layerGroups: { id: LayerGroup; nameZh: string; nameEn: string }[] = [
  { id: 'control', nameZh: '三条控制线', nameEn: 'Control lines' },
  { id: 'farmland', nameZh: '耕地', nameEn: 'Farmland' },
  { id: 'stock', nameZh: '存量土地', nameEn: 'Stock land' },
  { id: 'enforcement', nameZh: '执法图斑', nameEn: 'Enforcement' },
  { id: 'admin', nameZh: '行政区划', nameEn: 'Administrative units' },
];

export type AttributeType = 'text' | 'number' | 'date' | 'area';

export interface LayerAttribute {
  /** Column name in the table and property name in tiles and GeoJSON. */
  name: string;
  labelZh: string;
  labelEn: string;
  type: AttributeType;
  /** Unit shown after the value, e.g. 万元/亩. `area` attributes are m² and shown in 亩 and 公顷. */
  unit?: string;
}

export interface LayerStyle {
  fillColor: string;
  fillOpacity: number;
  lineColor: string;
  lineWidth: number;
  /** MapLibre line-dasharray, in line widths. */
  lineDash?: number[];
}

export interface LayerDefinition {
  id: LayerId;
  nameZh: string;
  nameEn: string;
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
  attributes: LayerAttribute[];
  /** The few attributes vector tiles carry (the popup fetches the rest): keeps tiles small. */
  tileAttributes: string[];
  style: LayerStyle;
  /** Shown when the map first opens. */
  visibleByDefault: boolean;
}

const area: LayerAttribute = { name: 'area_m2', labelZh: '面积', labelEn: 'Area', type: 'area' };
const county: LayerAttribute = { name: 'county_code', labelZh: '县区代码', labelEn: 'County code', type: 'text' };
const source: LayerAttribute = { name: 'source', labelZh: '数据来源', labelEn: 'Source', type: 'text' };
const vintage: LayerAttribute = { name: 'vintage', labelZh: '数据年份', labelEn: 'Vintage', type: 'text' };

const farmlandAttributes = (codeLabel: string): LayerAttribute[] => [
  { name: 'code', labelZh: codeLabel, labelEn: 'Patch number', type: 'text' },
  county,
  { name: 'land_class_code', labelZh: '地类编码', labelEn: 'Land class code', type: 'text' },
  { name: 'land_class_name', labelZh: '地类名称', labelEn: 'Land class', type: 'text' },
  { name: 'quality_grade', labelZh: '耕地质量等别', labelEn: 'Quality grade', type: 'number' },
  area,
  source,
  vintage,
];

/** Permanent and general farmland share their shape: fields with a land class, restricted. */
function farmlandLayer(
  l: Pick<LayerDefinition, 'id' | 'nameZh' | 'nameEn' | 'group' | 'table' | 'style' | 'visibleByDefault'>,
): LayerDefinition {
  return {
    ...l,
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
  };
}

export const layers: readonly LayerDefinition[] = [
  {
    id: 'urban-boundary',
    nameZh: '城镇开发边界',
    nameEn: 'Urban development boundary',
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
    visibleByDefault: true,
  },
  farmlandLayer({
    id: 'permanent-farmland',
    nameZh: '永久基本农田',
    nameEn: 'Permanent basic farmland',
    group: 'control',
    table: 'permanent_farmland',
    style: { fillColor: '#f2c94c', fillOpacity: 0.55, lineColor: '#b7950b', lineWidth: 0.5 },
    visibleByDefault: true,
  }),
  {
    id: 'eco-redline',
    nameZh: '生态保护红线',
    nameEn: 'Ecological protection red line',
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
      { name: 'category', labelZh: '生态功能类型', labelEn: 'Ecological function', type: 'text' },
      county,
      area,
      source,
      vintage,
    ],
    tileAttributes: ['code', 'name', 'category'],
    style: { fillColor: '#2f9e44', fillOpacity: 0.35, lineColor: '#c92a2a', lineWidth: 1.5 },
    visibleByDefault: true,
  },
  farmlandLayer({
    id: 'general-farmland',
    nameZh: '一般耕地',
    nameEn: 'General farmland',
    group: 'farmland',
    table: 'general_farmland',
    style: { fillColor: '#c5e1a5', fillOpacity: 0.5, lineColor: '#7cb342', lineWidth: 0.5 },
    visibleByDefault: false,
  }),
  {
    id: 'stock-parcel',
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
      { name: 'category', labelZh: '存量类型', labelEn: 'Category', type: 'text' },
      { name: 'four_un_stage', labelZh: '“四未”阶段', labelEn: '"Four un-" stage', type: 'text' },
      { name: 'planned_use', labelZh: '规划用途', labelEn: 'Planned use', type: 'text' },
      area,
      { name: 'plot_ratio_min', labelZh: '容积率下限', labelEn: 'Plot ratio (min)', type: 'number' },
      { name: 'plot_ratio_max', labelZh: '容积率上限', labelEn: 'Plot ratio (max)', type: 'number' },
      { name: 'approval_no', labelZh: '批准文号', labelEn: 'Approval number', type: 'text' },
      { name: 'approval_date', labelZh: '批准日期', labelEn: 'Approval date', type: 'date' },
      { name: 'status', labelZh: '供应状态', labelEn: 'Status', type: 'text' },
      { name: 'ref_price', labelZh: '参考价格', labelEn: 'Reference price', type: 'number', unit: '万元/亩' },
      { name: 'zone_name', labelZh: '所在园区', labelEn: 'Development zone', type: 'text' },
      { name: 'contact_dept', labelZh: '联系部门', labelEn: 'Contact department', type: 'text' },
    ],
    tileAttributes: ['code', 'category', 'planned_use', 'status', 'area_m2'],
    style: { fillColor: '#1c7ed6', fillOpacity: 0.45, lineColor: '#1864ab', lineWidth: 1 },
    visibleByDefault: true,
  },
  {
    id: 'encroachment',
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
      { name: 'source', labelZh: '线索来源', labelEn: 'Source', type: 'text' },
      { name: 'detected_on', labelZh: '发现日期', labelEn: 'Detected on', type: 'date' },
      { name: 'status', labelZh: '核查状态', labelEn: 'Status', type: 'text' },
      area,
    ],
    tileAttributes: ['code', 'source', 'status', 'detected_on', 'area_m2'],
    style: { fillColor: '#e03131', fillOpacity: 0.5, lineColor: '#a61e4d', lineWidth: 1.5 },
    visibleByDefault: false,
  },
  {
    id: 'admin-county',
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
      { name: 'name', labelZh: '名称', labelEn: 'Name', type: 'text' },
      { name: 'level', labelZh: '级别', labelEn: 'Level', type: 'text' },
      area,
    ],
    tileAttributes: ['code', 'name'],
    style: { fillColor: '#868e96', fillOpacity: 0, lineColor: '#495057', lineWidth: 1.5, lineDash: [4, 2, 1, 2] },
    visibleByDefault: true,
  },
];

export function getLayer(id: string): LayerDefinition | undefined {
  return layers.find((l) => l.id === id);
}

/** What the API sends about a layer: everything but the table name. */
export type PublicLayerInfo = Omit<LayerDefinition, 'table'>;

export function publicLayerInfo(layer: LayerDefinition): PublicLayerInfo {
  const { table: _table, ...info } = layer;
  return info;
}
