/**
 * What a streaming layer reader hands on (openLayerFile, index.ts): the file's attributes and
 * coordinate system decided up front, then its features one by one in EPSG:4490 — so a layer file
 * of a million polygons is read in bounded memory, never whole.
 */
import type { Detected, ParseWarning, SiteGeometry, SiteProperties } from '../parsers/types.ts';
import type { ParseLimits } from '../parsers/limits.ts';

export type LayerFileFormat = 'geojson' | 'shapefile' | 'geopackage';

/** Why one record could not be placed: the rest of the file is read on. */
export interface RecordProblem {
  code: string;
  zh: string;
  en: string;
}

/** One feature of a layer file. `geometry` is null exactly when `problem` says why. */
export interface LayerRecord {
  /** 1-based position in the file (the .shp/.dbf record, the GeoJSON feature, the table's row order). */
  row: number;
  properties: SiteProperties;
  /** EPSG:4490 lon/lat Polygon or MultiPolygon, rings wound as RFC 7946. */
  geometry: SiteGeometry | null;
  problem?: RecordProblem;
}

export interface LayerFileReader {
  format: LayerFileFormat;
  /** What was decided about the file, as a whole-file parse reports it (parsers/types.ts). */
  detected: LayerDetected;
  warnings: ParseWarning[];
  /** The file's attribute names, in the file's order. */
  fieldNames: string[];
  /** Properties of the first ≤ 200 features, for the field mapping. */
  sample: SiteProperties[];
  /** Bytes the reader goes through, for progress (see each reader for what they are). */
  bytesTotal: number;
  bytesRead(): number;
  /** The features in file order: one pass, bounded memory. A second call is refused. */
  features(): AsyncIterable<LayerRecord>;
  /** Releases the file; safe to call twice, and before or after the features are read. */
  close(): Promise<void>;
}

/** What a whole-file parse calls `detected` (parsers/types.ts Detected), with the layer formats (a GeoPackage is one). */
export type LayerDetected = Omit<Detected, 'format'> & { format: LayerFileFormat };

const MB = 1024 * 1024;

/**
 * Bounds on a streamed layer file: an archive may inflate to 4 GB (what a city's farmland
 * Shapefile reaches), compress at most 200 : 1 past the first 8 MB of an entry, list at most
 * 1 000 entries; at most 5 000 000 features. Vertices are not capped in total — a stream holds one
 * feature at a time — but one record may hold at most {@link MAX_RECORD_BYTES}.
 */
export const STREAM_LAYER_LIMITS: ParseLimits = {
  maxInflatedBytes: 4096 * MB,
  maxEntries: 1_000,
  maxInflateRatio: 200,
  maxFeatures: 5_000_000,
  maxVertices: Number.MAX_SAFE_INTEGER,
};

/** One feature's bytes (a .shp record, a GeoJSON feature, a GeoPackage blob): 256 MB ≈ 16 M vertices. */
export const MAX_RECORD_BYTES = 256 * MB;

/** Features read to decide the coordinate system and the attribute encoding, and kept as `sample`. */
export const SAMPLE_SIZE = 200;
