/**
 * One imagery tile rendered in a worker thread: the file's blocks are read and decoded, and the
 * pixels reprojected, here — not on the event loop. The open files and decoded blocks stay in
 * this worker's caches between tiles (geotiff-source.ts).
 */
import Piscina from 'piscina';
import { ImageryFileError, openSource } from '../geotiff-source.ts';
import { renderTile } from '../render.ts';

export interface RenderTask {
  path: string;
  epsg: number;
  /** The row's updated time: a file registered again is read afresh. */
  version?: number;
  z: number;
  x: number;
  y: number;
}

/** The tile's RGBA (moved, not copied), null for an empty tile, or the file's problem. */
export type RenderAnswer = Uint8Array | null | { code: string; zh: string; en: string; detail?: string };

export default async function run(task: RenderTask): Promise<RenderAnswer> {
  try {
    const src = await openSource(task.path, task.epsg, task.version);
    const rgba = await renderTile(src, task.z, task.x, task.y);
    if (!rgba) return null;
    return Piscina.move(rgba) as Uint8Array;
  } catch (e) {
    if (e instanceof ImageryFileError) return { code: e.code, zh: e.zh, en: e.en };
    return { code: 'IMAGERY_RENDER_FAILED', zh: '', en: '', detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
