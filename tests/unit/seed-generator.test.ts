import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateDataset, loadCounties, type GenerateOptions } from '../../seeds/generate.ts';
import { TEST_SEED } from '../helpers/backend.ts';

function run(opts: GenerateOptions) {
  const ds = generateDataset(opts);
  const codes = new Map<string, Set<string>>();
  for (const layer of ds.layers) {
    const seen = new Set<string>();
    for (const f of layer.features()) seen.add(f.code);
    codes.set(layer.id, seen);
  }
  return { checksum: ds.checksum(), counts: ds.counts(), codes };
}

const golden = new URL('../fixtures/seed/demo.json', import.meta.url);

describe('dataset generator', () => {
  const demo = run({ scale: 'demo', seed: TEST_SEED });

  it('gives identical data for the same seed', () => {
    const again = run({ scale: 'demo', seed: TEST_SEED });
    expect(again.checksum).toBe(demo.checksum);
    expect(again.counts).toEqual(demo.counts);
  });

  it('gives different data for a different seed', () => {
    expect(run({ scale: 'demo', seed: TEST_SEED + 1 }).checksum).not.toBe(demo.checksum);
  });

  it('matches the recorded demo dataset (UPDATE=1 rewrites the record after an intended change)', () => {
    const record = { seed: TEST_SEED, checksum: demo.checksum, counts: demo.counts };
    if (process.env.UPDATE === '1') writeFileSync(golden, JSON.stringify(record, null, 2) + '\n');
    expect(existsSync(golden), 'the demo dataset record is missing (UPDATE=1 writes it on purpose)').toBe(true);
    expect(record).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
  });

  it('gives every feature a unique identifier within its layer', () => {
    for (const [layer, codes] of demo.codes) expect(codes.size, layer).toBe(demo.counts[layer as keyof typeof demo.counts]);
  });

  it('fills every layer of the demo scale with a plausible number of features', () => {
    expect(demo.counts['urban-boundary']).toBeGreaterThanOrEqual(9);
    expect(demo.counts['eco-redline']).toBeGreaterThanOrEqual(4);
    expect(demo.counts['permanent-farmland']).toBeGreaterThan(10_000);
    expect(demo.counts['general-farmland']).toBeGreaterThan(1_000);
    expect(demo.counts['stock-parcel']).toBeGreaterThan(500);
    expect(demo.counts['encroachment']).toBe(400);
  });

  it('reaches the city-scale sizes the benchmarks need', () => {
    const ds = generateDataset({ scale: 'city', seed: TEST_SEED });
    for (const layer of ds.layers) for (const _ of layer.features());
    const counts = ds.counts();
    expect(counts['permanent-farmland']).toBeGreaterThanOrEqual(1_000_000);
    expect(counts['stock-parcel']).toBeGreaterThanOrEqual(100_000);
    expect(counts['encroachment']).toBeGreaterThanOrEqual(10_000);
  }, 180_000);

  it('reads the nine real county-level units of Kaifeng', () => {
    const counties = loadCounties();
    expect(counties.map((c) => `${c.code} ${c.name}`)).toEqual([
      '410202 龙亭区',
      '410203 顺河回族区',
      '410204 鼓楼区',
      '410205 禹王台区',
      '410212 祥符区',
      '410221 杞县',
      '410222 通许县',
      '410223 尉氏县',
      '410225 兰考县',
    ]);
  });
});
