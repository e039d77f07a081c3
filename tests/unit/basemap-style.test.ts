/**
 * The offline base map in the map style (client/src/map/style.ts): a valid MapLibre style, its
 * drawings under the data layers, its names above them and under the county names, in the page's
 * language, and a language switch that renames exactly its name layers.
 */
import { describe, expect, it } from 'vitest';
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { layers } from '../../core/layers.ts';
import { BASEMAP_LAYERS, COUNTY_LABELS, buildStyle, fillLayerId, lineLayerId, setCountyLabelLang } from '../../client/src/map/style.ts';

const states = Object.fromEntries(layers.map((l) => [l.id, { visible: true, opacity: 1 }])) as Parameters<typeof buildStyle>[0]['states'];
const style = (lang: 'zh' | 'en') =>
  buildStyle({ origin: 'http://localhost', states, countyLabels: { type: 'FeatureCollection', features: [] }, maxTileZoom: 16, lang });

describe('the offline base map in the map style', () => {
  it('is a valid MapLibre style with the base map’s tiles as a source', () => {
    const s = style('zh');
    expect(validateStyleMin(s as never)).toEqual([]);
    expect(s.sources.basemap).toEqual({ type: 'vector', tiles: ['http://localhost/tiles/basemap/{z}/{x}/{y}.mvt'], maxzoom: 16 });
    expect(s).not.toHaveProperty('glyphs');
  });

  it('draws water, roads and built-up areas under the data layers and the names above them, under the county names', () => {
    const ids = style('zh').layers.map((l) => l.id);
    const firstFill = Math.min(...layers.map((l) => ids.indexOf(fillLayerId(l.id))));
    const lastLine = Math.max(...layers.map((l) => ids.indexOf(lineLayerId(l.id))));
    for (const id of ['basemap-water', 'basemap-waterways', 'basemap-roads', 'basemap-road-casing', 'basemap-villages', 'basemap-urban']) {
      expect(ids.indexOf(id), id).toBeGreaterThan(0);
      expect(ids.indexOf(id), id).toBeLessThan(firstFill);
    }
    for (const id of ['basemap-village-labels', 'basemap-town-labels', 'basemap-seat-labels', 'basemap-road-labels', 'basemap-water-labels']) {
      expect(ids.indexOf(id), id).toBeGreaterThan(lastLine);
      expect(ids.indexOf(id), id).toBeLessThan(ids.indexOf(COUNTY_LABELS));
    }
    expect(BASEMAP_LAYERS.every((id) => ids.includes(id))).toBe(true);
    // the casing under the road
    expect(ids.indexOf('basemap-road-casing')).toBeLessThan(ids.indexOf('basemap-roads'));
  });

  it('writes the names in the page’s language and switches them with it', () => {
    const field = (lang: 'zh' | 'en') => style(lang).layers.find((l) => l.id === 'basemap-village-labels')!.layout!;
    expect((field('zh') as Record<string, unknown>)['text-field']).toEqual(['get', 'name']);
    expect((field('en') as Record<string, unknown>)['text-field']).toEqual(['coalesce', ['get', 'name_en'], ['get', 'name']]);
    const s = style('zh');
    const set: string[] = [];
    const map = {
      getLayer: (id: string) => s.layers.find((l) => l.id === id),
      setLayoutProperty: (id: string, name: string, value: unknown) => {
        const layer = s.layers.find((l) => l.id === id)!;
        expect(layer.type, `${id} ${name}`).toBe('symbol');
        set.push(`${id} ${name} ${JSON.stringify(value)}`);
      },
    };
    setCountyLabelLang(map, 'en');
    expect(set).toContain(`basemap-town-labels text-field ${JSON.stringify(['coalesce', ['get', 'name_en'], ['get', 'name']])}`);
    expect(set).toContain(`${COUNTY_LABELS} text-field ${JSON.stringify(['get', 'name_en'])}`);
    expect(set.filter((l) => l.startsWith('basemap-'))).toHaveLength(5);
  });

  it('draws roads wider closer in, expressways widest', () => {
    const roads = style('zh').layers.find((l) => l.id === 'basemap-roads')!;
    const width = (roads.paint as Record<string, unknown>)['line-width'] as unknown[];
    // ['interpolate', curve, ['zoom'], z, ['match', ['get', 'class'], 'expressway', w, …], …]
    const at = (i: number) => (width[4 + 2 * i] as unknown[]).slice(2) as (string | number)[];
    const expressway = [0, 1, 2, 3].map((i) => Number(at(i)[at(i).indexOf('expressway') + 1]));
    const county = [0, 1, 2, 3].map((i) => Number(at(i).at(-1)));
    expect(expressway).toEqual([...expressway].sort((a, b) => a - b));
    expect(county).toEqual([...county].sort((a, b) => a - b));
    for (let i = 0; i < 4; i++) expect(expressway[i]).toBeGreaterThan(county[i]!);
  });
});
