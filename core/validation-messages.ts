/**
 * What a refused request says, in the request's language: each field named in words (用户名,
 * "User name") rather than by its JSON path, and zod's issues in Chinese or English sentences
 * made from the issue itself (zod's own defaults are English only: "Invalid input: expected
 * int, received NaN"). The JSON path stays in the error's `details[].field` for programs.
 *
 * Used by the server's error handler (server/src/plugins/errors.ts) for every schema a route
 * declares, by the routes that parse a schema themselves (saved searches), and installed as
 * zod's error map (`installZodMessages`) so an issue read anywhere else is Chinese, not English.
 */
import { z } from 'zod';
import { ROLE_LABEL, type Role } from './access.ts';

export type Lang = 'zh' | 'en';
export interface Bilingual {
  zh: string;
  en: string;
}

/** Fields of the request schemas (core/contracts), by JSON key or dotted path. */
export const FIELD_LABELS: Record<string, Bilingual> = {
  id: { zh: '编号', en: 'ID' },
  username: { zh: '用户名', en: 'User name' },
  password: { zh: '密码', en: 'Password' },
  displayName: { zh: '姓名', en: 'Name' },
  role: { zh: '角色', en: 'Role' },
  disabled: { zh: '停用', en: 'Disabled' },
  scope: { zh: '工作范围', en: 'Scope' },
  action: { zh: '操作类型', en: 'Action' },
  limit: { zh: '条数上限', en: 'Limit' },
  county: { zh: '县区', en: 'County' },
  status: { zh: '状态', en: 'Status' },
  source: { zh: '线索来源', en: 'Source' },
  from: { zh: '发现日期起', en: 'Detected from' },
  to: { zh: '发现日期止', en: 'Detected to' },
  minOverlapMu: { zh: '最小占用面积', en: 'Minimum overlap' },
  overlap: { zh: '占用类型', en: 'Overlap type' },
  q: { zh: '关键词', en: 'Search text' },
  sort: { zh: '排序', en: 'Sort order' },
  page: { zh: '页码', en: 'Page' },
  pageSize: { zh: '每页条数', en: 'Page size' },
  version: { zh: '版本', en: 'Version' },
  approvalNo: { zh: '批准文号', en: 'Approval number' },
  comment: { zh: '核查意见', en: 'Comment' },
  actor: { zh: '核查人', en: 'Reviewer' },
  year: { zh: '年度', en: 'Year' },
  dryRun: { zh: '试导入', en: 'Trial import' },
  duplicateShare: { zh: '重复阈值', en: 'Duplicate threshold' },
  includeDuplicates: { zh: '仍导入的重复行', en: 'Duplicate rows to import' },
  detectedOn: { zh: '发现日期', en: 'Detection date' },
  jobId: { zh: '任务号', en: 'Job number' },
  bbox: { zh: '范围（经纬度）', en: 'Extent (lon/lat)' },
  layer: { zh: '图层', en: 'Layer' },
  versionNo: { zh: '版本号', en: 'Version number' },
  crs: { zh: '坐标系', en: 'Coordinate system' },
  zone: { zh: '带号', en: 'Zone' },
  prefix: { zh: '带号前缀', en: 'Zone prefix' },
  datum: { zh: '导出的坐标系', en: 'Coordinate system of the export' },
  zoneWidth: { zh: '分带宽度', en: 'Zone width' },
  axisOrder: { zh: '坐标轴顺序', en: 'Axis order' },
  encoding: { zh: '文字编码', en: 'Text encoding' },
  acceptApproximateDatum: { zh: '接受近似位置', en: 'Accept an approximate position' },
  note: { zh: '说明', en: 'Note' },
  text: { zh: '粘贴的文字', en: 'Pasted text' },
  file: { zh: '文件', en: 'File' },
  name: { zh: '名称', en: 'Name' },
  query: { zh: '检索条件', en: 'Search' },
  geometry: { zh: '选址范围', en: 'Site' },
  'geometry.type': { zh: '选址范围的图形类型', en: 'Type of the site geometry' },
  'geometry.coordinates': { zh: '选址范围的坐标', en: 'Coordinates of the site' },
  use: { zh: '规划用途', en: 'Planned use' },
  stockFirst: { zh: '存量优先', en: 'Stock first' },
  'stockFirst.reason': { zh: '继续新增用地的理由', en: 'Reason for new land' },
  'stockFirst.note': { zh: '理由说明', en: 'Explanation of the reason' },
  bufferMeters: { zh: '缓冲距离', en: 'Buffer distance' },
  repair: { zh: '自动修复', en: 'Automatic repair' },
  provenance: { zh: '来源', en: 'Provenance' },
  'provenance.fileName': { zh: '来源文件名', en: 'Source file name' },
  'provenance.format': { zh: '来源文件格式', en: 'Source file format' },
  'provenance.warnings': { zh: '来源的提示', en: 'Provenance warnings' },
  'provenance.edited': { zh: '来源（是否修改过）', en: 'Provenance (edited)' },
  'provenance.source': { zh: '来源文件的坐标', en: 'Coordinates of the source file' },
  'provenance.signature': { zh: '来源的签名', en: 'Provenance signature' },
  category: { zh: '存量类型', en: 'Category' },
  minArea: { zh: '最小面积', en: 'Minimum area' },
  maxArea: { zh: '最大面积', en: 'Maximum area' },
  areaUnit: { zh: '面积单位', en: 'Area unit' },
  minPlotRatio: { zh: '最小容积率', en: 'Minimum plot ratio' },
  maxPlotRatio: { zh: '最大容积率', en: 'Maximum plot ratio' },
  minPrice: { zh: '最低参考价', en: 'Minimum reference price' },
  maxPrice: { zh: '最高参考价', en: 'Maximum reference price' },
  near: { zh: '位置', en: 'Location' },
  areaMu: { zh: '面积（亩）', en: 'Area (mu)' },
  areaHa: { zh: '面积（公顷）', en: 'Area (ha)' },
  maxDistanceKm: { zh: '最大距离（千米）', en: 'Maximum distance (km)' },
  code: { zh: '编号', en: 'Code' },
  z: { zh: '瓦片缩放级别', en: 'Tile zoom' },
  x: { zh: '瓦片列号', en: 'Tile column' },
  y: { zh: '瓦片行号', en: 'Tile row' },
  // base maps (core/contracts/basemaps.ts)
  nameZh: { zh: '中文名称', en: 'Chinese name' },
  nameEn: { zh: '英文名称', en: 'English name' },
  url: { zh: '瓦片地址模板', en: 'Tile address template' },
  kind: { zh: '服务类型', en: 'Service type' },
  attribution: { zh: '版权说明', en: 'Attribution' },
  minZoom: { zh: '最小级别', en: 'Minimum zoom' },
  maxZoom: { zh: '最大级别', en: 'Maximum zoom' },
  key: { zh: '天地图密钥', en: 'Tianditu key' },
  reviewNumber: { zh: '审图号', en: 'Map review number' },
  // the map's tools (identify, search)
  lon: { zh: '经度', en: 'Longitude' },
  lat: { zh: '纬度', en: 'Latitude' },
  zoom: { zh: '缩放级别', en: 'Zoom' },
  tolerance: { zh: '容差（像素）', en: 'Tolerance (pixels)' },
};

/**
 * Words that depend on the route: the same key means another thing on another page (a status
 * of a parcel is its supply status, of a decision the conclusion). Longest prefix wins.
 */
export const ROUTE_FIELD_LABELS: Record<string, Record<string, Bilingual>> = {
  '/api/stock-parcels': { status: { zh: '供应状态', en: 'Supply status' }, code: { zh: '地块编号', en: 'Parcel code' } },
  '/api/stock-parcels/match': { limit: { zh: '候选数', en: 'Number of candidates' }, county: { zh: '县区', en: 'County' } },
  '/api/stock-parcels/:code/events': {
    kind: { zh: '变动类型', en: 'Change' },
    eventDate: { zh: '变动日期', en: 'Date of the change' },
    docNo: { zh: '文号', en: 'Document number' },
    note: { zh: '备注', en: 'Note' },
    details: { zh: '变动内容', en: 'Details of the change' },
    'details.method': { zh: '供应或处置方式', en: 'Supply or disposal method' },
    'details.contractNo': { zh: '合同编号', en: 'Contract number' },
    'details.landUser': { zh: '用地单位', en: 'Land user' },
    'details.priceWan': { zh: '成交价（万元）', en: 'Price (10k yuan)' },
    'details.project': { zh: '再开发项目', en: 'Redevelopment project' },
    'details.enterprise': { zh: '意向企业', en: 'Enterprise' },
    'details.reason': { zh: '撤回理由', en: 'Reason for the withdrawal' },
  },
  '/api/stock-parcels/:code/split': {
    eventDate: { zh: '变动日期', en: 'Date of the change' },
    docNo: { zh: '文号', en: 'Document number' },
    note: { zh: '备注', en: 'Note' },
    children: { zh: '新地块', en: 'New parcels' },
    'children.code': { zh: '新地块编号', en: 'Code of the new parcel' },
    'children.name': { zh: '新地块名称', en: 'Name of the new parcel' },
    'children.geometry': { zh: '新地块的范围', en: 'Geometry of the new parcel' },
  },
  '/api/stock-parcels/merge': {
    eventDate: { zh: '变动日期', en: 'Date of the change' },
    docNo: { zh: '文号', en: 'Document number' },
    note: { zh: '备注', en: 'Note' },
    parents: { zh: '合并的地块', en: 'Parcels to merge' },
    code: { zh: '新地块编号', en: 'Code of the new parcel' },
    name: { zh: '新地块名称', en: 'Name of the new parcel' },
  },
  '/api/land-requests': {
    company: { zh: '企业名称', en: 'Company' },
    use: { zh: '用地用途', en: 'Land use' },
    areaMinMu: { zh: '最小面积（亩）', en: 'Minimum area (mu)' },
    areaMaxMu: { zh: '最大面积（亩）', en: 'Maximum area (mu)' },
    county: { zh: '县区', en: 'County' },
    near: { zh: '位置', en: 'Location' },
    radiusKm: { zh: '半径（千米）', en: 'Radius (km)' },
    plotRatioMin: { zh: '最小容积率', en: 'Minimum plot ratio' },
    plotRatioMax: { zh: '最大容积率', en: 'Maximum plot ratio' },
    budgetWan: { zh: '预算（万元）', en: 'Budget (10k yuan)' },
    neededBy: { zh: '用地时间', en: 'Needed by' },
    contactName: { zh: '联系人', en: 'Contact' },
    contactPhone: { zh: '联系电话', en: 'Telephone' },
    note: { zh: '说明', en: 'Note' },
    status: { zh: '需求状态', en: 'Request status' },
    id: { zh: '需求编号', en: 'Request number' },
    proposalId: { zh: '推荐编号', en: 'Proposal number' },
    parcelCode: { zh: '地块编号', en: 'Parcel code' },
    reason: { zh: '理由', en: 'Reason' },
  },
  '/api/me/saved-searches': { id: { zh: '已保存检索编号', en: 'Saved search number' } },
  '/api/cases': { status: { zh: '核查状态', en: 'Review status' }, q: { zh: '图斑编号', en: 'Case code' }, id: { zh: '图斑编号', en: 'Case number' }, actor: { zh: '导入人', en: 'Importer' } },
  '/api/cases/:id/decisions': { status: { zh: '核查结论', en: 'Conclusion' }, actor: { zh: '核查人', en: 'Reviewer' } },
  '/api/cases/:id/rectification': {
    deadline: { zh: '整改期限', en: 'Rectification deadline' },
    done: { zh: '是否已整改', en: 'Rectified' },
    doneOn: { zh: '整改完成日期', en: 'Rectification date' },
    docNo: { zh: '整改文书号', en: 'Document number' },
    note: { zh: '整改说明', en: 'Rectification note' },
  },
  '/api/admin/users': { id: { zh: '用户编号', en: 'User number' } },
  '/api/site-checks/:id/export.zip': { encoding: { zh: '属性表编码', en: 'Attribute encoding' } },
  '/api/site-checks/:id/boundary-points.txt': { encoding: { zh: '文件编码', en: 'File encoding' } },
  '/api/site-checks/:id/boundary-points.json': { limit: { zh: '点数上限', en: 'Number of points' } },
  '/api/site-checks/preview': { layers: { zh: '预览图层', en: 'Layers to preview' } },
  '/api/site-checks/:id/approval': { approvalNo: { zh: '批准文号', en: 'Approval number' }, approvedOn: { zh: '批准日期', en: 'Approval date' }, id: { zh: '报告编号', en: 'Report number' } },
  '/api/layers': { id: { zh: '要素编号', en: 'Feature number' } },
  '/api/search': { q: { zh: '检索内容', en: 'Search text' } },
  '/api/identify': { layers: { zh: '识别图层', en: 'Layers to identify' }, limit: { zh: '每层条数', en: 'Features per layer' } },
};

/** Values an enum field takes, in words (the codes are what the API speaks). */
const PLANNED_USE_WORDS: Record<string, Bilingual> = {
  工业: { zh: '工业', en: 'Industrial' },
  仓储: { zh: '仓储', en: 'Warehousing' },
  商业: { zh: '商业', en: 'Commercial' },
  商务: { zh: '商务', en: 'Business' },
  住宅: { zh: '住宅', en: 'Residential' },
  公共管理与公共服务: { zh: '公共管理与公共服务', en: 'Public administration and services' },
};
const VALUE_LABELS: Record<string, (v: string) => Bilingual | undefined> = {
  role: (v) => (v in ROLE_LABEL ? ROLE_LABEL[v as Role] : undefined),
  use: (v) => PLANNED_USE_WORDS[v],
};

const isIndex = (s: string | number) => typeof s === 'number' || /^\d+$/.test(s);

function labelsFor(route?: string): Record<string, Bilingual> {
  if (!route) return FIELD_LABELS;
  const prefix = Object.keys(ROUTE_FIELD_LABELS)
    .filter((p) => route === p || route.startsWith(`${p}/`) || route.startsWith(`${p}?`))
    .sort((a, b) => b.length - a.length);
  return Object.assign({}, FIELD_LABELS, ...prefix.reverse().map((p) => ROUTE_FIELD_LABELS[p]));
}

/**
 * A field in words, or null when no label is known. `path` is zod's (["stockFirst", "note"]) or
 * dotted ("stockFirst.note"); array indexes are named as positions.
 *
 * @example fieldLabel(['stockFirst', 'note'], 'zh') // '理由说明'
 * @example fieldLabel('geometry.coordinates.0.3', 'en') // 'Coordinates of the site (item 1/4)'
 */
export function fieldLabel(path: readonly PropertyKey[] | string, lang: Lang, route?: string): string | null {
  const parts = (typeof path === 'string' ? path.split('.').filter(Boolean) : path.map((p) => (typeof p === 'symbol' ? '' : p))) as (string | number)[];
  if (!parts.length) return null;
  const labels = labelsFor(route);
  const names = parts.filter((p) => !isIndex(p)).map(String);
  const indexes = parts.filter(isIndex).map((p) => Number(p) + 1);
  const prefixLabel = (n: number): Bilingual | undefined => {
    const own = labels[names.slice(0, n).join('.')];
    if (own || n < 2) return own;
    // a nested field with a word of its own: "存量优先的说明" / "Note (stock first)"
    const leaf = labels[names[n - 1]!];
    const parent = prefixLabel(n - 1);
    if (!leaf) return undefined;
    return parent ? { zh: `${parent.zh}的${leaf.zh}`, en: `${leaf.en} (${parent.en.toLowerCase()})` } : leaf;
  };
  // the longest named prefix with words; what is below it is quoted as sent
  for (let n = names.length; n > 0; n--) {
    const label = prefixLabel(n);
    if (!label) continue;
    const rest = names.slice(n);
    const tail = rest.length ? (lang === 'zh' ? `的“${rest.join('.')}”` : ` › "${rest.join('.')}"`) : '';
    const at = indexes.length ? (lang === 'zh' ? `（第 ${indexes.join('/')} 项）` : ` (item ${indexes.join('/')})`) : '';
    return `${label[lang]}${tail}${at}`;
  }
  return null;
}

/** A field in words, or its name in quotes when it has no label (an unknown parameter). */
export function fieldName(path: readonly PropertyKey[] | string, lang: Lang, route?: string): string {
  const label = fieldLabel(path, lang, route);
  if (label) return label;
  const raw = typeof path === 'string' ? path : path.map(String).join('.');
  return lang === 'zh' ? `“${raw}”` : `"${raw}"`;
}

/** What zod keeps of an issue (fastify-type-provider-zod passes it on as `params`). */
export interface IssueLike {
  code?: string;
  path?: readonly PropertyKey[];
  message?: string;
  expected?: string;
  origin?: string;
  maximum?: number | bigint;
  minimum?: number | bigint;
  inclusive?: boolean;
  values?: unknown[];
  keys?: string[];
  format?: string;
  divisor?: number;
  input?: unknown;
  /** A refinement's own words in English: `.refine(f, { message: '…', params: { en: '…' } })`. */
  params?: { en?: string };
}

const CJK = /[\u3400-\u9fff]/;
const TYPE_ZH: Record<string, string> = { number: '数字', int: '整数', string: '文字', boolean: '是或否（true/false）', object: '对象', array: '列表', null: '空值', bigint: '整数', date: '日期' };
const TYPE_EN: Record<string, string> = { number: 'a number', int: 'a whole number', string: 'text', boolean: 'true or false', object: 'an object', array: 'a list', null: 'null', bigint: 'a whole number', date: 'a date' };

/**
 * The issue itself, without the field: "最多 40 个字符" / "at most 40 characters". Zod's
 * English defaults are never used; a refinement's Chinese message is (it says more than its
 * code), in English its `params.en` when it has one.
 */
export function issueText(issue: IssueLike, lang: Lang, field?: string): string {
  const zh = lang === 'zh';
  const n = (v: number | bigint | undefined) => String(v);
  const sized = issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set';
  const unit = issue.origin === 'string' ? (zh ? ' 个字符' : ' characters') : sized ? (zh ? ' 项' : ' items') : '';
  const valueWords = (v: unknown) => {
    const words = field ? VALUE_LABELS[field]?.(String(v)) : undefined;
    if (!words) return String(v);
    // a code in Chinese is its own word in Chinese; in English the word alone
    if (CJK.test(String(v))) return words[lang];
    return zh ? `${words.zh}（${String(v)}）` : `${words.en} (${String(v)})`;
  };
  switch (issue.code) {
    case 'invalid_type':
      // missing (the issue carries its input: safeParse(…, { reportInput: true }), or the error handler looked it up)
      if ('input' in issue && issue.input === undefined) return zh ? '为必填项' : 'is required';
      return zh ? `应为${TYPE_ZH[issue.expected ?? ''] ?? '其他类型'}` : `must be ${TYPE_EN[issue.expected ?? ''] ?? 'of another type'}`;
    case 'too_big':
      if (sized) return zh ? `最多 ${n(issue.maximum)}${unit}` : `at most ${n(issue.maximum)}${unit}`;
      return issue.inclusive === false ? (zh ? `须小于 ${n(issue.maximum)}` : `must be less than ${n(issue.maximum)}`) : zh ? `不能大于 ${n(issue.maximum)}` : `must be at most ${n(issue.maximum)}`;
    case 'too_small':
      if (sized && Number(issue.minimum) === 1) return zh ? '不能为空' : 'must not be empty';
      if (sized) return zh ? `至少 ${n(issue.minimum)}${unit}` : `at least ${n(issue.minimum)}${unit}`;
      return issue.inclusive === false ? (zh ? `须大于 ${n(issue.minimum)}` : `must be greater than ${n(issue.minimum)}`) : zh ? `不能小于 ${n(issue.minimum)}` : `must be at least ${n(issue.minimum)}`;
    case 'invalid_value': {
      const values = (issue.values ?? []).map(valueWords);
      return zh ? `只能是：${values.join('、')}` : `must be one of: ${values.join(', ')}`;
    }
    case 'invalid_format':
      return zh ? '格式不正确' : 'is not in the right format';
    case 'unrecognized_keys':
      return zh ? `含有不认识的字段：${(issue.keys ?? []).map((k) => `“${k}”`).join('、')}` : `has unknown fields: ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_union':
      return zh ? '不符合允许的任何一种形式' : 'matches none of the allowed forms';
    case 'not_multiple_of':
      return zh ? `须为 ${issue.divisor} 的倍数` : `must be a multiple of ${issue.divisor}`;
    case 'invalid_key':
      return zh ? '含有无效的键' : 'has an invalid key';
    case 'invalid_element':
      return zh ? '含有无效的值' : 'has an invalid value';
    default:
      return zh ? '无效' : 'is not valid';
  }
}

/**
 * One issue as a sentence naming its field: "用户名最多 40 个字符" / "User name: at most 40
 * characters". A contract's own Chinese message (which names the field in words) is kept for
 * Chinese; English is made from the issue, or a refinement's `params.en`.
 */
export function issueMessage(issue: IssueLike, lang: Lang, route?: string): string {
  const path = issue.path ?? [];
  const field = path.length ? fieldName(path, lang, route) : '';
  const key = [...path].reverse().find((p) => typeof p === 'string') as string | undefined;
  const custom = typeof issue.message === 'string' && CJK.test(issue.message) && !isDefaultMessage(issue) ? issue.message : null;
  if (lang === 'zh' && custom) return custom;
  // a refinement's English that is a predicate ("is not a valid date") is said of its field
  if (lang === 'en' && issue.params?.en) return field && /^(must|is|has|matches) /.test(issue.params.en) ? `${field} ${issue.params.en}` : issue.params.en;
  if (lang === 'en' && issue.code === 'custom' && issue.message && !custom) return field ? `${field}: ${issue.message}` : issue.message;
  const text = issueText(issue, lang, key);
  if (!field) return lang === 'zh' ? text : text.charAt(0).toUpperCase() + text.slice(1);
  // "用户名最多 40 个字符", "选址范围为必填项"; English "User name: at most 40 characters", "Page must be a number"
  if (lang === 'zh') return `${field}${text}`;
  return /^(must|is|has|matches) /.test(text) ? `${field} ${text}` : `${field}: ${text}`;
}

/**
 * Whether an issue's message is only what zod's error map (installed by {@link installZodMessages})
 * made of it, not a schema's own words: then it is made again for the request's language and route.
 */
function isDefaultMessage(issue: IssueLike): boolean {
  const { input: _input, ...withoutInput } = issue;
  const made = (i: IssueLike, lang: Lang) => issueMessage({ ...i, message: undefined }, lang);
  return [made(issue, 'zh'), made(withoutInput, 'zh'), made({ ...withoutInput, input: undefined }, 'zh')].includes(issue.message!);
}

/** Zod's error map for a language: what `issue.message` says when a schema gives none. */
export function zodErrorMap(lang: Lang) {
  return (issue: { code?: string; path?: PropertyKey[]; message?: string } & Record<string, unknown>) => issueMessage({ ...(issue as IssueLike), message: undefined }, lang);
}

/** Makes zod's default messages Chinese (the UI's language) wherever an issue is read raw. */
export function installZodMessages(lang: Lang = 'zh'): void {
  z.config({ localeError: zodErrorMap(lang) as never });
}
