/**
 * GEOS's validity reasons (ST_IsValidReason) in words: every kind GEOS writes is named in
 * Chinese and English, the place read from "[x y]" or from ST_IsValidDetail's location is
 * written as longitude/latitude in degrees, and GEOS's own English never reaches the Chinese.
 */
import { describe, expect, it } from 'vitest';
import { describeGeosReason, formatLonLat } from '../../core/geos-reason.ts';

const LATIN = /[A-Za-z]/;

describe('describeGeosReason', () => {
  it('names a self-intersection and its place from the reason itself', () => {
    const r = describeGeosReason('Self-intersection[114.4213456789 34.6401234]');
    expect(r.selfIntersection).toBe(true);
    expect(r.at).toEqual([114.4213456789, 34.6401234]);
    expect(r.text.zh).toBe('边界自相交（位置：东经 114.421346°，北纬 34.640123°）');
    expect(r.text.en).toBe('the boundary crosses itself at 114.421346°E, 34.640123°N');
  });

  it('prefers ST_IsValidDetail’s location to the reason’s own numbers', () => {
    const r = describeGeosReason('Ring Self-intersection[1 2]', [114.3, 34.8]);
    expect(r.selfIntersection).toBe(true);
    expect(r.text.zh).toBe('环自相交（位置：东经 114.300000°，北纬 34.800000°）');
  });

  it.each([
    ['Too few points in geometry component[114.1 34.1]', '点数过少', 'too few points'],
    ['Hole lies outside shell[114.1 34.1]', '内环（洞）在外环之外', 'hole lies outside'],
    ['Nested shells[114.1 34.1]', '另一个外环之内', 'inside another part'],
    ['Interior is disconnected[114.1 34.1]', '内部不连通', 'split in two'],
    ['Nested holes[114.1 34.1]', '内环（洞）相互嵌套', 'inside another'],
    ['Invalid Coordinate[nan nan]', '坐标无效', 'not a finite number'],
    ['Ring is not closed', '环未闭合', 'not closed'],
    ['Duplicate Rings[114.1 34.1]', '重复的环', 'repeated'],
  ])('%s', (reason, zh, en) => {
    const r = describeGeosReason(reason);
    expect(r.text.zh).toContain(zh);
    expect(r.text.en).toContain(en);
    expect(r.text.zh.replace(/°/g, ''), 'no GEOS English in the Chinese').not.toMatch(LATIN);
    expect(r.selfIntersection).toBe(false);
  });

  it('writes no place when there is none, and a reason GEOS adds later without its English', () => {
    expect(describeGeosReason('Hole lies outside shell').text.zh).toBe('内环（洞）在外环之外');
    const later = describeGeosReason('Some future reason[114.2 34.7]');
    expect(later.text.zh).toBe('图形无效（位置：东经 114.200000°，北纬 34.700000°）');
    expect(later.kind).toBe('Some future reason');
    expect(describeGeosReason(null).text.zh).toBe('图形无效');
  });

  it('names the hemisphere of a place', () => {
    expect(formatLonLat(-0.5, -33.25)).toEqual({ zh: '西经 0.500000°，南纬 33.250000°', en: '0.500000°W, 33.250000°S' });
  });
});
