/**
 * Attribute encodings of zipped Shapefiles written by GDAL (tests/fixtures/shapefile-encodings,
 * make.sh: `ogr2ogr -lco ENCODING=BIG5 | CP936 | GB18030 | UTF-8` from the UTF-8 GeoJSON sources
 * there, then .cpg files edited to the code-page numbers ArcGIS writes, dropped, or garbage).
 *
 * The names must read exactly as the source GeoJSON has them, the encoding be reported in
 * `detected.encoding`, and a warning appear only where the file gave no reliable answer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeText, detectLegacyEncoding, encodingFromLabel, forcedEncodingDoubt } from '../../server/src/formats/encoding.ts';
import { parseSiteFile } from '../../server/src/formats/parsers/index.ts';
import { attributeEncoding } from '../../server/src/formats/parsers/shapefile.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/shapefile-encodings');

interface Source {
  features: { properties: Record<string, string>; geometry: { coordinates: number[][][] } }[];
}
const source = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.geojson`), 'utf8')) as Source;

/** zip → [source GeoJSON, encoding reported, warning codes]. */
const CASES: [string, string, string, string[]][] = [
  ['big5-gdal.zip', 'traditional', 'big5', []],
  ['big5-cpg-950.zip', 'traditional', 'big5', []],
  ['big5-cpg-cp950.zip', 'traditional', 'big5', []],
  ['big5-cpg-lower.zip', 'traditional', 'big5', []],
  ['big5-no-cpg.zip', 'traditional', 'big5', ['ENCODING_GUESSED']],
  ['big5-cpg-garbage.zip', 'traditional', 'big5', ['CPG_UNKNOWN', 'ENCODING_GUESSED']],
  ['gbk-gdal.zip', 'simplified', 'gbk', []],
  ['gbk-cpg-936.zip', 'simplified', 'gbk', []],
  ['gbk-cpg-gbk.zip', 'simplified', 'gbk', []],
  ['gbk-no-cpg.zip', 'simplified', 'gbk', []],
  ['gb18030-gdal.zip', 'rare', 'gb18030', []],
  ['gb18030-cpg-54936.zip', 'rare', 'gb18030', []],
  ['utf8-gdal.zip', 'simplified', 'utf-8', []],
  ['utf8-cpg-65001.zip', 'simplified', 'utf-8', []],
];

describe.each(CASES)('%s', (zip, src, encoding, warnings) => {
  it(`reads every name as the source writes it, as ${encoding}, warning ${warnings.join(', ') || 'nothing'}`, async () => {
    const file = join(dir, zip);
    expect(existsSync(file), `missing fixture ${zip}; run make.sh`).toBe(true);
    const r = await parseSiteFile({ fileName: zip, bytes: new Uint8Array(readFileSync(file)) });
    const s = source(src);
    expect(r.detected.encoding).toBe(encoding);
    expect(r.warnings.map((w) => w.code)).toEqual(warnings);
    expect(r.features.features.map((f) => f.properties)).toEqual(s.features.map((f) => f.properties));
    r.features.features.forEach((f, i) => {
      const got = (f.geometry.type === 'Polygon' ? f.geometry.coordinates : f.geometry.coordinates.flat()).flat();
      const want = s.features[i]!.geometry.coordinates.flat();
      for (const [lon, lat] of want) expect(got.some((p) => Math.abs(p[0]! - lon!) < 1e-9 && Math.abs(p[1]! - lat!) < 1e-9)).toBe(true);
    });
  });
});

describe('.cpg values and warnings', () => {
  it('maps the code page names and numbers GIS software writes', () => {
    const cases: [string, string | undefined][] = [
      ['BIG5', 'big5'], ['CP950', 'big5'], ['950', 'big5'], ['big5', 'big5'], ['Big5-HKSCS', 'big5'], ['ANSI 950', 'big5'],
      ['GB18030', 'gb18030'], ['54936', 'gb18030'],
      ['GBK', 'gbk'], ['CP936', 'gbk'], ['936', 'gbk'], ['GB2312', 'gbk'], ['ANSI 936', 'gbk'],
      ['UTF-8', 'utf-8'], ['utf8', 'utf-8'], ['65001', 'utf-8'],
      ['UTF-16', 'utf-16le'], ['UTF-16LE', 'utf-16le'], ['1200', 'utf-16le'], ['UTF-16BE', 'utf-16be'], ['1201', 'utf-16be'],
      ['XYZ-ENC 99', undefined], ['ISO-8859-1', undefined], ['', undefined],
    ];
    for (const [label, enc] of cases) expect(encodingFromLabel(label), label).toBe(enc);
  });

  it('names the unknown .cpg value and the encoding used instead', async () => {
    const r = await parseSiteFile({ fileName: 'x.zip', bytes: new Uint8Array(readFileSync(join(dir, 'big5-cpg-garbage.zip'))) });
    const w = r.warnings.find((x) => x.code === 'CPG_UNKNOWN')!;
    expect(w.zh).toContain('“XYZ-ENC 99”');
    expect(w.zh).toContain('Big5');
    expect(w.en).toContain('"XYZ-ENC 99"');
  });

  it('a .cpg naming a legacy code page over UTF-8 text is overruled by the bytes, saying so', () => {
    const utf8 = new TextEncoder().encode('开封东区工业地块');
    const r = attributeEncoding(utf8, 'CP950', undefined);
    expect(r.encoding).toBe('utf-8');
    expect(r.warnings.map((w) => w.code)).toEqual(['CPG_MISMATCH']);
    expect(r.warnings[0]!.zh).toContain('“CP950”');
  });

  it('a .cpg of UTF-16 decodes UTF-16 text', () => {
    const le = new Uint8Array(new Uint16Array([...'开封'].map((c) => c.charCodeAt(0))).buffer);
    expect(attributeEncoding(le, '1200', undefined)).toEqual({ encoding: 'utf-16le', warnings: [] });
  });
});

describe('text detection and forced encodings', () => {
  it('a user may force big5 or gb18030, and is warned when the bytes do not fit', () => {
    const big5 = new Uint8Array(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../fixtures/boundary-points/enc-big5.txt')));
    expect(decodeText(big5, 'big5')).toMatchObject({ encoding: 'big5', warnings: [] });
    expect(decodeText(big5, 'big5').text).toContain('開封東區工業地塊');
    const gb = new Uint8Array(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../fixtures/boundary-points/enc-gb18030.txt')));
    expect(decodeText(gb, 'gb18030').text).toContain('𠮷开封东区工业地块');
    expect(forcedEncodingDoubt(gb, 'gbk').map((w) => w.zh)).toEqual(['内容不是有效的 GBK 编码（可能是 GB18030），中文可能成为乱码']);
    expect(forcedEncodingDoubt(new TextEncoder().encode('开封'), 'big5').map((w) => w.code)).toEqual(['ENCODING_DOUBT']);
  });

  it('GBK text of simplified characters stays GBK without a warning', async () => {
    const gbk = new Uint8Array(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../fixtures/boundary-points/enc-gbk.txt')));
    expect(detectLegacyEncoding(gbk)).toEqual({ encoding: 'gbk', warnings: [] });
  });

  it('a forced encoding reaches the parse of a 界址点 file (encoding=big5)', async () => {
    const bytes = new Uint8Array(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../fixtures/boundary-points/enc-big5.txt')));
    const r = await parseSiteFile({ fileName: '界址點.txt', bytes }, { encoding: 'big5' });
    expect(r.detected.encoding).toBe('big5');
    expect(r.features.features.map((f) => f.properties.name)).toEqual(['開封東區工業地塊', '城西示例地塊']);
  });
});
