/** core/stock-first.ts: the reasons for new land, when "none found" cannot stand, the words a report keeps. */
import { describe, expect, it } from 'vitest';
import { SiteCheckRequest } from '../../core/contracts/site-check.ts';
import { DEFAULT_STOCK_FIRST_RADIUS_KM, distanceText, NEW_LAND_REASON_CODES, NEW_LAND_REASONS, newLandReason, plannedUseOf, radiusText, reasonConflict } from '../../core/stock-first.ts';
import { describeMatch, matchParcels, type IndexedParcel, type MatchTally } from '../../core/stock-match.ts';

const tally = (singles: number, combinations: number): MatchTally => ({
  inScope: 100,
  available: 60,
  compatibleUse: 30,
  conflicting: 2,
  tooFar: 0,
  eligible: 28,
  singles,
  combinations,
});

describe('stock first', () => {
  it('has a Chinese and an English label for every reason', () => {
    expect(NEW_LAND_REASON_CODES).toEqual(['none-found', 'area', 'use', 'location', 'other']);
    expect(Object.values(NEW_LAND_REASONS).map((r) => r.zh)).toEqual(['未找到可用的存量地块', '面积不符', '用途不符', '区位不符', '其他']);
    for (const r of Object.values(NEW_LAND_REASONS)) expect(r.en.length).toBeGreaterThan(3);
  });

  it('keeps the reason with both labels and the trimmed note, null when blank', () => {
    expect(newLandReason('area', '  面积需 80 亩以上 ')).toEqual({ code: 'area', labelZh: '面积不符', labelEn: 'The area does not fit', note: '面积需 80 亩以上' });
    expect(newLandReason('location', '   ').note).toBeNull();
    expect(newLandReason('none-found').note).toBeNull();
  });

  it('refuses “none found” only when the match found something, and says how much', () => {
    expect(reasonConflict('none-found', tally(0, 0))).toBeNull();
    expect(reasonConflict('area', tally(3, 1))).toBeNull();
    const refused = reasonConflict('none-found', tally(3, 1))!;
    expect(refused.zh).toContain('有 4 个符合条件的存量用地方案（单宗地块 3 个、组合供应 1 个）');
    expect(refused.en).toContain('offers 4 fitting options (3 single, 1 combined)');
  });

  it('names the search radius in the refusal when there is one', () => {
    const refused = reasonConflict('none-found', tally(1, 0), 10)!;
    expect(refused.zh).toContain('存量土地图库中选址 10 公里内有 1 个符合条件的存量用地方案');
    expect(refused.en).toContain('offers 1 fitting option within 10 km of the site');
    expect(radiusText(7.5, 'zh')).toBe('7.5 公里');
    expect(radiusText(10, 'en')).toBe('10 km');
  });

  it('offers nothing beyond the stock-first radius: “none found” may stand then, and the sentence says how far it looked', () => {
    expect(DEFAULT_STOCK_FIRST_RADIUS_KM).toBe(10);
    // two fitting industrial parcels, 22.8 km and 26 km from the site, and one 9 km away of another use
    const parcel = (id: number, plannedUse: string): IndexedParcel => ({ id, countyCode: '410212', plannedUse, status: '可供应', fourUnStage: '征而未供', areaM2: 20_000, urbanBoundaryId: 1, conflict: false });
    const parcels = [parcel(1, '工业'), parcel(2, '工业'), parcel(3, '住宅')];
    const km = new Map([[1, 22.8], [2, 26], [3, 9]]);
    const opts = (maxDistanceKm?: number) => ({ need: { use: '工业' as const, areaM2: 20_000 }, distanceOf: (p: IndexedParcel) => km.get(p.id)! * 1000, limit: 5, ...(maxDistanceKm ? { maxDistanceKm } : {}) });
    const unbounded = matchParcels(parcels, () => [], opts());
    expect(unbounded.offers.map((o) => o.parcelIds)).toEqual([[1], [2]]);
    expect(reasonConflict('none-found', unbounded.tally)).not.toBeNull();

    const within = matchParcels(parcels, () => [], opts(DEFAULT_STOCK_FIRST_RADIUS_KM));
    expect(within.offers).toEqual([]);
    expect(within.tally).toMatchObject({ compatibleUse: 2, tooFar: 2, eligible: 0, singles: 0, combinations: 0 });
    expect(reasonConflict('none-found', within.tally, 10)).toBeNull();
    expect(describeMatch(within.tally, 'zh', 10)).toBe(
      '已套核存量土地图库：共 3 宗，可供应 3 宗，用途兼容 2 宗，因占用永久基本农田或生态保护红线排除 0 宗，距选址超过 10 公里 2 宗；选址 10 公里内没有符合条件的存量地块。',
    );
    expect(describeMatch(within.tally, 'en', 10)).toContain('2 farther than 10 km from the site; none fits within 10 km.');

    // a wider radius brings them back, the distance part scaled to it
    const wide = matchParcels(parcels, () => [], opts(30));
    expect(wide.offers.map((o) => o.parcelIds)).toEqual([[1], [2]]);
    expect(wide.offers[0]!.parts.find((p) => p.key === 'distance')!.value).toBeCloseTo(1 - 22.8 / 30, 9);
  });

  it('reads the planned use a file names', () => {
    expect(plannedUseOf('工业用地')).toBe('工业');
    expect(plannedUseOf(' 商务 ')).toBe('商务');
    expect(plannedUseOf('公共管理与公共服务用地')).toBe('公共管理与公共服务');
    expect(plannedUseOf('耕地')).toBeUndefined();
    expect(plannedUseOf('')).toBeUndefined();
  });

  it('prints distances in metres below a kilometre, in kilometres above', () => {
    expect(distanceText(849.6)).toBe('850 m');
    expect(distanceText(1234)).toBe('1.2 km');
    expect(distanceText(12_050)).toBe('12.1 km');
  });

  it('asks the site check for a use from the list and a reason, with a note for “other”', () => {
    const geometry = { type: 'Polygon', coordinates: [[[114.3, 34.7], [114.31, 34.7], [114.31, 34.71], [114.3, 34.7]]] };
    const ok = SiteCheckRequest.safeParse({ geometry, use: '工业', stockFirst: { reason: 'other', note: ' 临铁路 ' } });
    expect(ok.success && ok.data.stockFirst.note).toBe('临铁路');
    const issues = (body: object) => SiteCheckRequest.safeParse({ geometry, ...body }).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(issues({ use: '工业' })).toEqual(['stockFirst']);
    expect(issues({ stockFirst: { reason: 'area' } })).toEqual(['use']);
    expect(issues({ use: '工业', stockFirst: { reason: 'other' } })).toEqual(['stockFirst.note']);
    expect(issues({ use: '工业', stockFirst: { reason: 'area', note: 'x'.repeat(501) } })).toEqual(['stockFirst.note']);
  });
});
