import { describe, expect, it } from 'vitest';
import { generateDataset, type DatasetPart } from '../../seeds/generate.ts';
import { TEST_SEED } from '../helpers/backend.ts';

// The province scale (over twelve million fields) is loaded by `npm run seed -- --scale province` and
// measured by `npm run bench:province`; here, one city's slice of it: 济源, the smallest.
function read(part: DatasetPart) {
  const counties = new Map<string, Set<string>>();
  const codes = new Map<string, Set<string>>();
  for (const layer of part.layers) {
    const seen = new Set<string>();
    const where = new Set<string>();
    for (const f of layer.features()) {
      seen.add(f.code);
      where.add(String(f.props.county_code));
    }
    codes.set(layer.id, seen);
    counties.set(layer.id, where);
  }
  return { counts: part.counts(), checksum: part.checksum(), codes, counties };
}

describe('dataset generator at province scale: one city', () => {
  const province = generateDataset({ scale: 'province', seed: TEST_SEED });
  const jiyuan = read(province.part('419001'));

  it("knows all of Henan's 158 county-level units", () => {
    expect(province.counties).toHaveLength(158);
    expect(province.counties.filter((c) => c.code === '419001').map((c) => c.name)).toEqual(['济源市']);
  });

  it("puts every feature of the city's slice in the city, each under a code of its own", () => {
    for (const [layer, where] of jiyuan.counties) {
      expect([...where], layer).toEqual(['419001']);
      expect(jiyuan.codes.get(layer)!.size, layer).toBe(jiyuan.counts[layer as keyof typeof jiyuan.counts]);
    }
  });

  it('fills every layer the city has: boundary, red line, farmland, stock land, cases, townships and villages', () => {
    const c = jiyuan.counts;
    expect(c['urban-boundary']).toBeGreaterThan(0);
    expect(c['eco-redline']).toBeGreaterThan(0);
    expect(c['permanent-farmland']).toBeGreaterThan(50_000);
    expect(c['general-farmland']).toBeGreaterThan(0);
    expect(c['stock-parcel']).toBeGreaterThan(5_000);
    // the cases are shared among the cities by area: 济源 has about 1.2 % of the province
    expect(c['encroachment']).toBeGreaterThan(500);
    expect(c['township']).toBeGreaterThanOrEqual(8);
    expect(c['village']).toBeGreaterThan(c['township']);
  });

  it('gives the same slice for the same seed', () => {
    const again = read(generateDataset({ scale: 'province', seed: TEST_SEED }).part('419001'));
    expect(again.checksum).toBe(jiyuan.checksum);
    expect(again.counts).toEqual(jiyuan.counts);
  });
});
