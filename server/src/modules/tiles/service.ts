/**
 * Tiles with a cache: encoded tiles are kept in an LRU (by bytes) keyed by
 * layer, data version and z/x/y; when any layer's data version changes the
 * cache is dropped. The version is re-read at most once a second, and at once when
 * PostgreSQL announces a change (`forgetVersions`, from app.changes), so a change made
 * through any instance reaches tiles within a second.
 *
 * With a read replica, a tile is built by the request's reader and keyed by the data version
 * *that reader* holds (each source's versions read and kept apart): a tile built from a
 * replica still at version N is cached under N, never under the primary's N+1 — a caller who
 * has just changed the layer reads the primary's version and gets its tiles.
 */
import { LRUCache } from 'lru-cache';
import type { LayerDefinition } from '../../../../core/layers.ts';
import type { Queryable } from '../../db/database.ts';
import type { Reader, ReaderSource } from '../../db/replica.ts';
import { readDataVersions, type DataVersions } from '../data-version/service.ts';
import type { LayerSource, TileResult } from './layer-source.ts';
import { BASEMAP, type BasemapSource } from './basemap-source.ts';

export interface ServedTile extends TileResult {
  /** The encoded tile as a Buffer over the same memory (sent as it is, never copied). */
  body: Buffer;
  etag: string;
  cached: boolean;
}

interface Cached extends TileResult {
  body: Buffer;
}

const asBuffer = (data: Uint8Array): Buffer => (Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));

interface SourceVersions {
  versions: DataVersions | null;
  readAt: number;
  pending: Promise<{ versions: DataVersions; from: ReaderSource }> | null;
}

export class TileService {
  private readonly cache: LRUCache<string, Cached>;
  /** The data versions as each source (primary, replica) was last seen to hold them. */
  private readonly seen: Record<ReaderSource, SourceVersions> = {
    primary: { versions: null, readAt: 0, pending: null },
    replica: { versions: null, readAt: 0, pending: null },
  };
  private readonly primary: Reader;
  /** Bumped by `forgetVersions`: a read begun before a change was announced is not trusted for the next second. */
  private generation = 0;

  constructor(
    db: Queryable,
    private readonly source: LayerSource,
    opts: { maxBytes?: number; versionTtlMs?: number; basemap?: BasemapSource } = {},
  ) {
    this.primary = { source: 'primary', query: (sql, params) => db.query(sql, params) };
    this.cache = new LRUCache({ maxSize: opts.maxBytes ?? 64 * 1024 * 1024, sizeCalculation: (t) => Math.max(64, t.data.byteLength) });
    this.versionTtlMs = opts.versionTtlMs ?? 1000;
    this.basemapSource = opts.basemap ?? null;
  }
  private readonly basemapSource: BasemapSource | null;
  private readonly versionTtlMs: number;

  /** A data version changed somewhere: the next request reads them again instead of waiting out the second. */
  forgetVersions(): void {
    this.generation++;
    for (const seen of Object.values(this.seen)) {
      seen.readAt = 0;
      seen.pending = null;
    }
  }

  /**
   * The data versions `reader` holds (the primary's without one), re-read at most once per
   * `versionTtlMs` per source, and kept under the source that answered: a replica's read that
   * fell back to the primary is the primary's.
   */
  async dataVersions(reader: Reader = this.primary): Promise<DataVersions> {
    const seen = this.seen[reader.source];
    if (seen.versions && Date.now() - seen.readAt < this.versionTtlMs) return seen.versions;
    const pending = (seen.pending ??= this.readVersions(reader).finally(() => {
      if (seen.pending === pending) seen.pending = null;
    }));
    const got = await pending;
    // a read shared with another request was answered by the primary: this reader reads its own
    return got.from === reader.source ? got.versions : (await this.readVersions(reader)).versions;
  }

  private async readVersions(reader: Reader): Promise<{ versions: DataVersions; from: ReaderSource }> {
    const at = Date.now();
    const generation = this.generation;
    const versions = await readDataVersions(reader);
    const from = reader.source;
    const seen = this.seen[from];
    if (seen.versions && seen.versions.overall !== versions.overall) this.cache.clear();
    seen.versions = versions;
    // read before a change was announced: good for this request, not for the next second
    seen.readAt = generation === this.generation ? at : 0;
    return { versions, from };
  }

  /**
   * The tile when it is cached and `source`'s data versions were read within the last second,
   * without waiting on anything (the hot path of a map being panned); otherwise undefined — ask `tile`.
   */
  cachedTile(id: string, z: number, x: number, y: number, source: ReaderSource = 'primary'): ServedTile | undefined {
    const seen = this.seen[source];
    const versions = seen.versions;
    if (!versions || Date.now() - seen.readAt >= this.versionTtlMs) return undefined;
    const version = versions.byLayer[id] ?? 0;
    const hit = this.cache.get(`${id}/${version}/${z}/${x}/${y}`);
    if (!hit) return undefined;
    return { data: hit.data, features: hit.features, body: hit.body, etag: `"${id}-v${version}-${z}-${x}-${y}"`, cached: true };
  }

  /** A layer's tile as `reader` holds it (the primary without one). */
  async tile(layer: LayerDefinition, z: number, x: number, y: number, reader: Reader = this.primary): Promise<ServedTile> {
    const versions = await this.dataVersions(reader);
    const version = versions.byLayer[layer.id] ?? 0;
    const etag = `"${layer.id}-v${version}-${z}-${x}-${y}"`;
    const key = `${layer.id}/${version}/${z}/${x}/${y}`;
    const hit = this.cache.get(key);
    if (hit) return { ...hit, etag, cached: true };
    const built = await this.source.tile(layer, z, x, y, reader);
    const entry = { ...built, body: asBuffer(built.data) };
    this.cache.set(key, entry);
    return { ...entry, etag, cached: false };
  }

  /** A tile of the offline base map (basemap-source.ts), versioned and cached as a layer's. */
  async basemapTile(z: number, x: number, y: number, reader: Reader = this.primary): Promise<ServedTile> {
    if (!this.basemapSource) throw new Error('no base-map source');
    const versions = await this.dataVersions(reader);
    const version = versions.byLayer[BASEMAP] ?? 0;
    const etag = `"${BASEMAP}-v${version}-${z}-${x}-${y}"`;
    const key = `${BASEMAP}/${version}/${z}/${x}/${y}`;
    const hit = this.cache.get(key);
    if (hit) return { ...hit, etag, cached: true };
    const built = await this.basemapSource.tile(z, x, y, reader);
    const entry = { ...built, body: asBuffer(built.data) };
    this.cache.set(key, entry);
    return { ...entry, etag, cached: false };
  }

  /** Number of tiles held (for tests and diagnostics). */
  get cachedTiles(): number {
    return this.cache.size;
  }
}
