/**
 * A file that declares no coordinate system: its provenance says the datum was taken as CGCS2000,
 * and the report's rows print that caveat instead of "none needed (the file is CGCS2000)".
 */
import { describe, expect, it } from 'vitest';
import { parseSiteFile } from '../../server/src/formats/parsers/index.ts';
import { provenanceRows } from '../../core/provenance.ts';
import { crsReading } from '../../server/src/modules/geometry/provenance.ts';

// pasted northing/easting rows with the zone-38 prefix and no coordinate system named
const TEXT = ['3853210.512,38512034.220', '3853210.498,38512180.004', '3853060.771,38512180.016', '3853060.790,38512034.231'].join('\n');

describe('the provenance of an undeclared coordinate system', () => {
  it('records the datum as assumed and the report rows say so, in Chinese and English', async () => {
    const r = await parseSiteFile({ text: TEXT });
    expect(r.detected.crs).toBe('EPSG:4526');
    expect(r.warnings.map((w) => w.code)).toContain('CRS_UNDECLARED');
    const reading = crsReading(r.detected);
    expect(reading.datumAssumed).toBe(true);
    const record = {
      fileName: null,
      format: 'coordinates' as const,
      detected: reading,
      detectionRefused: null,
      confirmed: reading,
      overrides: {},
      warnings: r.warnings,
      source: null,
      edited: false,
      sourceCheck: { status: 'none' as const, maxDeviationM: null, zh: '无', en: 'none' },
    };
    const zh = provenanceRows(record, 'zh').find((row) => row.key === 'datumTransform')!;
    expect(zh.value).toContain('未声明坐标系');
    expect(zh.value).not.toContain('无需转换');
    const en = provenanceRows(record, 'en').find((row) => row.key === 'datumTransform')!;
    expect(en.value).toContain('declares no coordinate system');
  });

  it('a declared CGCS2000 file is not marked as assumed', async () => {
    const r = await parseSiteFile({ fileName: 'site.geojson', bytes: new TextEncoder().encode(JSON.stringify({ type: 'Feature', crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::4526' } }, properties: {}, geometry: { type: 'Polygon', coordinates: [[[38512034.22, 3853210.512], [38512180.004, 3853210.498], [38512180.016, 3853060.771], [38512034.231, 3853060.79], [38512034.22, 3853210.512]]] } })) });
    expect(r.detected.crs).toBe('EPSG:4526');
    expect(crsReading(r.detected).datumAssumed).toBeUndefined();
    expect(r.warnings.map((w) => w.code)).not.toContain('CRS_UNDECLARED');
  });
});
