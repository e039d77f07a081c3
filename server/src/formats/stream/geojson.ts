/**
 * A GeoJSON FeatureCollection read as a stream: stream-json's tokenizer (driven chunk by chunk,
 * no Node stream in between) and one Assembler per feature, so only the feature being read is held,
 * never the file. The collection's own members (`crs`, `name`) are read as they come; GDAL writes
 * them before `features`, and a `crs` that comes after the features is refused (it would re-place
 * what was already read). A syntax error ends the read with a ParseError naming the byte offset.
 *
 * @example const src = await openGeoJsonSource('/tmp/farmland.geojson'); for await (const r of src.records) …
 */
import { open, type FileHandle } from 'node:fs/promises';
import { none } from 'stream-chain/defs.js';
import Assembler from 'stream-json/core/assembler.js';
import { jsonParser, type Token } from 'stream-json/core/parser.js';
import { crsFromGeoJsonMember } from '../parsers/crs.ts';
import { ParseError } from '../parsers/errors.ts';
import { polygonsOf, type GeometryLike } from '../parsers/geojson.ts';
import { tooManyFeatures, type ParseLimits } from '../parsers/limits.ts';
import { toProperties } from '../parsers/raw.ts';
import { problem, type LayerSource, type RawRecord } from './place.ts';
import { MAX_RECORD_BYTES } from './types.ts';

/**
 * Bytes tokenised per turn of the event loop: the tokeniser runs at ~15 MB/s on the main thread,
 * so 128 KB holds it ~8 ms before other requests (tiles, pages) are answered again.
 */
const CHUNK = 128 << 10;

export interface GeoJsonSource extends LayerSource {
  /** The collection's own name (ogr2ogr writes the layer's). */
  name?: string;
}

const invalid = (offset: number, detail: string) =>
  new ParseError('INVALID_JSON', `GeoJSON 文件不是有效的 JSON（约第 ${offset} 字节处：${detail}）`, `The GeoJSON file is not valid JSON (near byte ${offset}: ${detail})`);

/** A feature as assembled, into a raw record (a problem when its geometry is not polygons). */
function recordOf(row: number, value: unknown): RawRecord {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { row, properties: {}, polygons: null, problem: problem('GEOJSON_INVALID', '不是 GeoJSON 要素（Feature）', 'Not a GeoJSON Feature') };
  }
  const f = value as { geometry?: unknown; properties?: unknown };
  const properties = toProperties(f.properties);
  if (!f.geometry || typeof f.geometry !== 'object') return { row, properties, polygons: null, problem: problem('EMPTY_GEOMETRY', '要素没有几何', 'The feature has no geometry') };
  try {
    const others = new Map<string, number>();
    const polygons = polygonsOf(f.geometry as GeometryLike, row, others);
    if (polygons.length === 0) {
      const type = [...others.keys()][0] ?? String((f.geometry as GeometryLike).type);
      return { row, properties, polygons: null, problem: problem('NOT_POLYGON', `几何类型为 ${type}，不是面`, `The geometry is a ${type}, not a polygon`) };
    }
    return { row, properties, polygons };
  } catch (e) {
    if (e instanceof ParseError) return { row, properties, polygons: null, problem: problem(e.code, e.zh, e.en) };
    throw e;
  }
}

export async function openGeoJsonSource(path: string, limits: ParseLimits): Promise<GeoJsonSource> {
  let file: FileHandle | null = await open(path, 'r');
  const bytesTotal = (await file.stat()).size;
  let position = 0;
  const buffer = Buffer.alloc(CHUNK);
  const decoder = new TextDecoder('utf-8');
  const parse = jsonParser({ packValues: true, streamValues: false });

  // where the tokens are: the root object (depth 1), a member's value being kept or skipped, the features array
  let depth = 0;
  let key: string | null = null;
  let inFeatures = false;
  let featuresDone = false;
  let member: { key: string; asm: Assembler } | null = null;
  let skipDepth = 0;
  let feature: Assembler | null = null;
  let featureStart = 0;
  let row = 0;
  const members: Record<string, unknown> = {};
  const ready: RawRecord[] = [];

  const refuseLateCrs = () =>
    new ParseError(
      'GEOJSON_INVALID',
      'GeoJSON 的 "crs" 写在 "features" 之后：大文件逐个要素读取时须先知道坐标系，请让 "crs" 写在 "features" 之前（GDAL 即如此输出）',
      'The GeoJSON\'s "crs" comes after "features": a large file read feature by feature needs its coordinate system first — put "crs" before "features" (as GDAL writes it)',
    );

  const onToken = (t: Token) => {
    if (feature) {
      feature.consume(t);
      if (feature.done) {
        ready.push(recordOf(row, feature.current));
        feature = null;
      }
      return;
    }
    if (inFeatures) {
      if (t.name === 'endArray') {
        inFeatures = false;
        featuresDone = true;
        depth--;
        return;
      }
      row++;
      if (row > limits.maxFeatures) throw tooManyFeatures(limits.maxFeatures, limits, true);
      featureStart = position;
      if (t.name === 'startObject' || t.name === 'startArray') {
        feature = new Assembler();
        feature.consume(t);
      } else ready.push(recordOf(row, null));
      return;
    }
    if (member) {
      member.asm.consume(t);
      if (member.asm.done) {
        members[member.key] = member.asm.current;
        member = null;
      }
      return;
    }
    if (skipDepth > 0) {
      if (t.name === 'startObject' || t.name === 'startArray') skipDepth++;
      else if (t.name === 'endObject' || t.name === 'endArray') skipDepth--;
      return;
    }
    if (depth === 0) {
      if (t.name !== 'startObject') throw new ParseError('GEOJSON_INVALID', '不是 GeoJSON 要素集合（FeatureCollection）', 'Not a GeoJSON FeatureCollection');
      depth = 1;
      return;
    }
    // depth 1: the collection's members
    if (t.name === 'keyValue') {
      key = t.value;
      return;
    }
    if (t.name === 'endObject') {
      depth = 0;
      return;
    }
    if (key === 'features' && t.name === 'startArray') {
      inFeatures = true;
      depth = 2;
      return;
    }
    if (key === 'crs' && featuresDone) throw refuseLateCrs();
    if (key === 'crs' || key === 'type' || key === 'name') {
      const asm = new Assembler();
      asm.consume(t);
      if (asm.done) members[key] = asm.current;
      else member = { key, asm };
      return;
    }
    if (t.name === 'startObject' || t.name === 'startArray') skipDepth = 1;
  };

  const feed = (tokens: ReturnType<typeof parse>) => {
    if (tokens === none) return;
    for (const t of (tokens as { values: Token[] }).values) onToken(t);
  };

  /** Reads one more chunk into `ready`; false at the end of the file. */
  const step = async (): Promise<boolean> => {
    if (!file) return false;
    const { bytesRead } = await file.read(buffer, 0, CHUNK, position);
    try {
      if (bytesRead === 0) {
        feed(parse(decoder.decode()));
        feed(parse(none as unknown as string));
        if (feature || inFeatures || depth > 0) throw invalid(position, '文件在要素集合结束之前就结束了 / the file ends inside the collection');
        return false;
      }
      position += bytesRead;
      feed(parse(decoder.decode(buffer.subarray(0, bytesRead), { stream: true })));
      if (feature && position - featureStart > MAX_RECORD_BYTES) {
        throw new ParseError('TOO_MANY_VERTICES', `第 ${row} 个要素超过 ${MAX_RECORD_BYTES / 1024 / 1024} MB，请先抽稀或拆分`, `Feature ${row} is larger than ${MAX_RECORD_BYTES / 1024 / 1024} MB; simplify or split it first`);
      }
    } catch (e) {
      if (e instanceof ParseError) throw e;
      throw invalid(position, e instanceof Error ? e.message : String(e));
    }
    return true;
  };

  const close = async () => {
    const f = file;
    file = null;
    await f?.close();
  };

  // the members before the first feature
  try {
    while (!inFeatures && !featuresDone && (await step()));
  } catch (e) {
    await close();
    throw e;
  }
  if (!inFeatures && !featuresDone) {
    await close();
    const type = typeof members.type === 'string' ? members.type : undefined;
    if (type && type !== 'FeatureCollection') {
      throw new ParseError('GEOJSON_INVALID', `图层文件须为要素集合（FeatureCollection），此文件为 ${type}`, `A layer file must be a FeatureCollection; this one is a ${type}`);
    }
    throw new ParseError('GEOJSON_INVALID', 'FeatureCollection 缺少 "features" 数组', 'The FeatureCollection has no "features" array');
  }
  const declared = crsFromGeoJsonMember(members.crs);
  const name = typeof members.name === 'string' && members.name.trim() ? members.name.trim() : undefined;

  async function* records(): AsyncGenerator<RawRecord> {
    try {
      for (;;) {
        while (ready.length > 0) yield ready.shift()!;
        if (!(await step())) break;
      }
      while (ready.length > 0) yield ready.shift()!;
      if (row === 0) throw new ParseError('NO_FEATURES', 'GeoJSON 中没有要素（要素列表为空）', 'The GeoJSON holds no features (features is empty)');
    } finally {
      await close();
    }
  }

  return { ...(declared ? { declared } : {}), ...(name ? { name } : {}), warnings: [], records: records(), bytesTotal, bytesRead: () => position, close };
}
