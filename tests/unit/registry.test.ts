/**
 * The layer registry holds everything a layer is, and what is derived from it agrees with it:
 * every layer is drawn (a layer missing from the draw order would silently not be), every
 * rule's attributes and every import column are attributes of its layer, the verdict
 * sentences carry their figures, and 城市紫线 is judged by its own rule.
 */
import { describe, expect, it } from 'vitest';
import {
  BOUNDARY_RULE,
  CASE_OVERLAP_LAYER_IDS,
  DRAW_ORDER,
  IMPORT_FIELD_ALIASES,
  IMPORTABLE_LAYER_IDS,
  LAYER_GROUP_IDS,
  layers,
  RULE_IDS,
  ruleLayers,
  STOCK_STANDING_LAYER_IDS,
  trimmingLayers,
} from '../../core/layers.ts';
import { judge } from '../../core/rules.ts';
import { formatArea, M2_PER_MU } from '../../core/units.ts';
import { LayerInfoSchema } from '../../core/contracts/layers.ts';
import { publicLayerInfo } from '../../core/layers.ts';
import { buildStyle, fillLayerId, lineLayerId } from '../../client/src/map/style.ts';
import { fieldMapping, readRow } from '../../server/src/modules/layer-admin/fields.ts';
import { OVERLAY_STYLE, overlayLegend } from '../../client/src/site-check/overlay.ts';

const states = Object.fromEntries(layers.map((l) => [l.id, { visible: true, opacity: 1 }])) as Parameters<typeof buildStyle>[0]['states'];

describe('the layer registry', () => {
  it('gives every layer a unique draw order, and the map style draws every layer once, fills below lines', () => {
    expect(new Set(layers.map((l) => l.drawOrder)).size).toBe(layers.length);
    expect([...DRAW_ORDER].sort()).toEqual(layers.map((l) => l.id).sort());
    const style = buildStyle({ origin: 'http://localhost', states, countyLabels: { type: 'FeatureCollection', features: [] }, maxTileZoom: 16 });
    const ids = style.layers.map((l) => l.id);
    for (const l of layers) {
      expect(ids, l.id).toContain(fillLayerId(l.id));
      expect(ids, l.id).toContain(lineLayerId(l.id));
      expect(style.sources[l.id], l.id).toBeDefined();
    }
    const lastFill = Math.max(...layers.map((l) => ids.indexOf(fillLayerId(l.id))));
    const firstLine = Math.min(...layers.map((l) => ids.indexOf(lineLayerId(l.id))));
    expect(lastFill).toBeLessThan(firstLine);
    // the fills follow drawOrder: 城市紫线 above the red line, below the urban boundary
    const at = (id: string) => ids.indexOf(fillLayerId(id as never));
    expect(at('eco-redline')).toBeLessThan(at('purple-line'));
    expect(at('purple-line')).toBeLessThan(at('urban-boundary'));
  });

  it('publishes every layer in a known group, as the API contract reads it', () => {
    for (const l of layers) {
      expect(LAYER_GROUP_IDS).toContain(l.group);
      const info = LayerInfoSchema.parse({ ...publicLayerInfo(l), featureCount: 0, extent: null, dataVersion: 0 });
      expect(info).not.toHaveProperty('table');
      expect(info.drawOrder).toBe(l.drawOrder);
    }
  });

  it('lists for each rule and each import only attributes its layer has', () => {
    for (const l of layers) {
      const names = l.attributes.map((a) => a.name);
      for (const a of l.rule?.attributes ?? []) expect(names, `${l.id} rule`).toContain(a);
      // an import may also fill the column holding an attribute's English (the counties' name_en)
      const columns = [...names, ...l.attributes.flatMap((a) => (a.enColumn ? [a.enColumn] : []))];
      for (const c of l.import?.columns ?? []) expect(columns, `${l.id} import`).toContain(c);
      for (const [col, aliases] of Object.entries(l.import?.aliases ?? {})) {
        expect(l.import!.columns, `${l.id} alias column`).toContain(col);
        for (const a of aliases ?? []) expect(a, `${l.id} alias`).toBe(a.toLowerCase());
      }
      expect(l.tileAttributes.every((t) => names.includes(t)), l.id).toBe(true);
    }
    for (const aliases of Object.values(IMPORT_FIELD_ALIASES)) for (const a of aliases) expect(a).toBe(a.toLowerCase());
    const prefixes = layers.flatMap((l) => (l.import ? [l.import.codePrefix] : []));
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it('derives the rule, preview, import, overlap and standing lists from the entries', () => {
    expect(RULE_IDS).toEqual(['permanent-farmland', 'eco-redline', 'urban-boundary', 'general-farmland', 'purple-line']);
    expect(BOUNDARY_RULE).toBe('urban-boundary');
    expect(ruleLayers.filter((l) => l.rule.kind === 'inside')).toHaveLength(1);
    expect(trimmingLayers.map((l) => l.id)).toEqual(['permanent-farmland', 'eco-redline']);
    expect([...IMPORTABLE_LAYER_IDS].sort()).toEqual(['admin-county', 'eco-redline', 'general-farmland', 'permanent-farmland', 'purple-line', 'stock-parcel', 'township', 'urban-boundary', 'village']);
    expect([...CASE_OVERLAP_LAYER_IDS].sort()).toEqual(['eco-redline', 'general-farmland', 'permanent-farmland', 'stock-parcel', 'urban-boundary']);
    expect([...STOCK_STANDING_LAYER_IDS].sort()).toEqual(['eco-redline', 'general-farmland', 'permanent-farmland', 'stock-parcel', 'urban-boundary']);
  });

  it('writes every verdict sentence with its figures and no placeholder left over', () => {
    for (const l of ruleLayers) {
      const hit = judge(l.id, { overlapM2: 1234.5, outsideM2: 1234.5, siteM2: 5000 });
      const clear = judge(l.id, { overlapM2: 0, outsideM2: 0, siteM2: 5000 });
      expect(hit.status, l.id).not.toBe('pass');
      expect(clear.status, l.id).toBe('pass');
      for (const m of [hit.messageZh, hit.messageEn, clear.messageZh, clear.messageEn]) expect(m, l.id).not.toMatch(/\{\w+\}/);
      expect(hit.messageZh).toContain(formatArea(1234.5, 'zh'));
      expect(hit.messageEn).toContain(formatArea(1234.5, 'en'));
      expect(hit.titleZh).toBe(l.nameZh);
    }
  });

  it('judges 城市紫线 by its own rule: touching it needs heritage approval, a warning, not a conflict', () => {
    const m2 = 3.5 * M2_PER_MU;
    const v = judge('purple-line', { overlapM2: m2, siteM2: 20_000 });
    expect(v.status).toBe('warn');
    expect(v.messageZh).toBe(`涉及城市紫线 ${formatArea(m2, 'zh')}，须取得历史文化保护审批。`);
    expect(v.messageEn).toMatch(/heritage approval/);
    expect(v.ruleTextZh).toContain('城市紫线');
    expect(judge('purple-line', { overlapM2: 0.001, siteM2: 20_000 }).status).toBe('pass');
  });

  it('keeps the four earlier verdicts word for word', () => {
    const f = { overlapM2: 2 * M2_PER_MU, outsideM2: 3 * M2_PER_MU, siteM2: 50_000 };
    const a = (m2: number) => formatArea(m2, 'zh');
    expect(judge('permanent-farmland', f).messageZh).toBe(`占用永久基本农田 ${a(f.overlapM2)}，一般建设项目不得占用。`);
    expect(judge('permanent-farmland', f).status).toBe('conflict');
    expect(judge('eco-redline', f).messageZh).toBe(`涉及生态保护红线 ${a(f.overlapM2)}，须开展有限人为活动论证。`);
    expect(judge('urban-boundary', f).messageZh).toBe(`位于城镇开发边界外 ${a(f.outsideM2)}，边界内 ${a(f.overlapM2)}；边界外部分须符合单独选址条件。`);
    const gf = judge('general-farmland', { overlapM2: 3.2 * M2_PER_MU, siteM2: 50_000 });
    expect(gf.figures.quotaMu).toBe(3.2);
    expect(gf.messageZh).toBe(`占用一般耕地 ${a(3.2 * M2_PER_MU)}，须落实耕地占补平衡指标 3.20 亩。`);
    expect(judge('general-farmland', { overlapM2: 0, siteM2: 1 }).figures.quotaMu).toBe(0);
  });

  it('asks for exactly the quota the overlap is printed as (one number, rounded once)', () => {
    // 12.913 亩 taken: an overlap of 12.91 亩 and a quota of 12.91 亩, never 12.92
    for (const taken of [12.913, 12.915, 3.2, 0.004, 1.4999999]) {
      const v = judge('general-farmland', { overlapM2: taken * M2_PER_MU, siteM2: 50_000 });
      const printed = /占用一般耕地 ([\d.]+) 亩/.exec(v.messageZh)![1]!;
      expect(v.figures.quotaMu!.toFixed(2)).toBe(printed);
      expect(v.messageZh).toContain(`指标 ${printed} 亩`);
    }
  });

  it('draws and names every overlap on the site-check map from its rule', () => {
    for (const l of ruleLayers) {
      if (l.id === BOUNDARY_RULE) continue;
      expect(OVERLAY_STYLE[l.id as keyof typeof OVERLAY_STYLE].color).toBe(l.rule.overlay.color);
      expect(overlayLegend(l.id as never, 'zh', () => 'x')).toBe(l.rule.overlay.legendZh);
    }
    expect(overlayLegend('purple-line', 'en', () => 'x')).toBe('Conservation line touched');
  });

  it('reads a layer’s own field names before the shared ones, so a bureau file maps to the right columns', () => {
    const props = { BSM: 'X1', ZXBH: 'ZX-1', MC: '泛称', BHDX: '龙亭', LX: '其他', BHLX: '文物保护单位' };
    expect(fieldMapping('purple-line', [props])).toMatchObject({ code: 'ZXBH', name: 'BHDX', category: 'BHLX' });
    const red = { BSM: 'H1', MC: '泛称', HXMC: '黄河湿地', LX: '其他', STHXLX: '生物多样性维护' };
    expect(fieldMapping('eco-redline', [red])).toMatchObject({ code: 'BSM', name: 'HXMC', category: 'STHXLX' });
    // a file without the layer's own names falls back to the shared ones
    expect(fieldMapping('purple-line', [{ BSM: 'X1', MC: '某街区' }])).toMatchObject({ code: 'BSM', name: 'MC' });
    // a missing category is 未分类, a missing code the layer's prefix and row
    const { values } = readRow({}, { layer: 'purple-line', mapping: {}, row: 7, fileName: 'a.shp', year: '2026', counties: new Set() });
    expect(values).toMatchObject({ code: 'CSZX-0000007', name: '城市紫线7', category: '未分类', source: 'a.shp', vintage: '2026' });
  });

  it('does not pass a site on a rule whose layer holds no data: it says the rule was not judged', () => {
    const v = judge('purple-line', { overlapM2: 0, siteM2: 1_000, layerEmpty: true });
    expect(v.status).toBe('warn');
    expect(v.messageZh).toBe('未载入城市紫线数据，本项未作判定，须另行核实。');
    expect(v.messageEn).toBe('No data of the historic conservation line is loaded: this rule was not judged and must be checked separately.');
    expect(v.figures.layerEmpty).toBe(1);
    expect(judge('purple-line', { overlapM2: 0, siteM2: 1_000 }).figures).not.toHaveProperty('layerEmpty');
  });
});
