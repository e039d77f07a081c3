/**
 * The uploaded layer file on the server's disk, as a source of records for the check: the
 * streaming readers (formats/stream: GeoJSON, zipped Shapefile, GeoPackage — record by record,
 * bounded memory), with their errors in an import's words (422 naming the problem; 400 for an
 * approximate placement, which an import never takes).
 */
import { openLayerFile, type LayerFileReader } from '../../formats/stream/index.ts';
import type { ParseOptions } from '../../formats/parsers/index.ts';
import { importParseError, refuseApproximateForImport } from '../../http/upload.ts';
import { AppError } from '../../plugins/errors.ts';

export type LayerSource = LayerFileReader;

const WHAT = { zh: '图层导入', en: 'the layer import' };

const translate = (e: unknown): Error => {
  const known = importParseError(e, WHAT);
  if (known) return known;
  if (e instanceof AppError) return e;
  return new AppError(422, 'UNREADABLE', `文件无法读取：${e instanceof Error ? e.message : String(e)}`, `The file cannot be read: ${e instanceof Error ? e.message : String(e)}`);
};

/** Opens the file (422 naming the problem when it cannot be read at all). */
export async function openLayerSource(path: string, fileName: string, options: ParseOptions): Promise<LayerSource> {
  refuseApproximateForImport(options, WHAT);
  let reader: LayerFileReader;
  try {
    reader = await openLayerFile(path, fileName, options);
  } catch (e) {
    throw translate(e);
  }
  // a file that breaks off in the middle ends the check with the reader's words
  const features = reader.features.bind(reader);
  return Object.assign(reader, {
    async *features() {
      try {
        yield* features();
      } catch (e) {
        throw translate(e);
      }
    },
  });
}
