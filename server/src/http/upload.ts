/**
 * File uploads (multipart/form-data, field `file`) and reading them with the shared parsers:
 * what the site check's parse, the case import and the layer import have in common.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { SiteValidation } from '../../../core/geometry-validation.ts';
import { ParseError, parseCrsParam, type ParseInput, type ParseOptions, type ParseResult, type TextEncoding } from '../formats/parsers/index.ts';
import { parseInPool, ParserBusy, type ParseKind } from './parse-pool.ts';
import { AppError } from '../plugins/errors.ts';
import { datumTransformsOf, type DatumTransforms } from '../config.ts';
import { refuseIllFormedText } from '../plugins/input.ts';

export interface UploadedFile {
  fileName: string;
  bytes: Uint8Array;
}

const multipartOnly = () =>
  new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', '请用 multipart/form-data 上传文件（字段名 file）', 'Upload the file as multipart/form-data (field "file")');

/**
 * Multipart and framework errors in words the user understands; `tooLarge` names the limit
 * and what to do about it; `wrongType` what a route accepts when the body is of another type.
 */
export function translateUploadError(err: FastifyError, tooLarge: () => AppError, wrongType: () => AppError = multipartOnly): Error {
  switch (err.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return tooLarge();
    case 'FST_FILES_LIMIT':
      return new AppError(400, 'TOO_MANY_FILES', '一次只能上传一个文件；Shapefile 请把 .shp、.dbf、.prj 等打包成一个 .zip', 'Upload one file at a time; zip a Shapefile’s .shp, .dbf, .prj … into one .zip');
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError(400, 'TOO_MANY_PARTS', '表单字段过多', 'Too many form fields');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return wrongType();
    case 'FST_PROTO_VIOLATION':
      return new AppError(400, 'FORM_FIELD_NAME', '表单字段名不允许为 __proto__、constructor 或 prototype', 'A form field may not be named __proto__, constructor or prototype');
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new AppError(400, 'FORM_FIELD_JSON', '表单字段声明为 JSON，但内容不是有效的 JSON', 'A form field declared as JSON is not valid JSON');
    case 'FST_MP_PREMATURE_CLOSE':
      return incomplete();
  }
  // busboy's own errors carry no code, only a message
  const message = String(err.message ?? '');
  if (/boundary (not found|required)/i.test(message)) {
    return new AppError(
      400,
      'MULTIPART_NO_BOUNDARY',
      '上传的表单缺少分隔符：Content-Type 应为 multipart/form-data; boundary=…',
      'The upload has no boundary: the Content-Type must be multipart/form-data; boundary=…',
    );
  }
  if (/unexpected end of (multipart data|form|file)/i.test(message)) return incomplete();
  return err;
}

/** A multipart body that ends before its closing boundary. */
const incomplete = () =>
  new AppError(400, 'MULTIPART_INCOMPLETE', '上传的表单不完整（数据在结束分隔符之前中断）：请重新上传文件', 'The upload is cut short (the multipart body ends before its closing boundary): upload the file again');

/** The one uploaded file (multipart field `file`); `noFile` says what to upload when there is none. */
export async function uploadedFile(req: FastifyRequest, noFile: { zh: string; en: string }): Promise<UploadedFile> {
  if (!req.isMultipart()) throw multipartOnly();
  let file: UploadedFile | undefined;
  for await (const part of req.parts()) {
    try {
      refuseIllFormedText({ [part.fieldname]: part.type === 'file' ? part.filename : part.value }, 'form');
    } catch (e) {
      if (part.type === 'file') part.file.resume();
      throw e;
    }
    if (part.type !== 'file') continue;
    if (part.fieldname !== 'file') {
      part.file.resume();
      throw new AppError(400, 'FILE_FIELD', `文件字段名应为 file，收到“${part.fieldname}”`, `The file field must be named "file", not "${part.fieldname}"`);
    }
    const buf = await part.toBuffer();
    file = { fileName: part.filename || 'upload', bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
  }
  if (!file) throw new AppError(400, 'NO_FILE', noFile.zh, noFile.en);
  return file;
}

/** An upload written to the server's disk as it arrived. */
export interface FileOnDisk {
  fileName: string;
  path: string;
  bytes: number;
}

/**
 * The one uploaded file (multipart field `file`) streamed to a new file in `dir` as it arrives —
 * never held in memory, whatever its size; the multipart plugin's `fileSize` limit ends it (413
 * through the route's error handler) and the partial file is removed. `noFile` says what to
 * upload when there is none.
 */
export async function uploadedFileToDisk(req: FastifyRequest, dir: string, noFile: { zh: string; en: string }): Promise<FileOnDisk> {
  if (!req.isMultipart()) throw multipartOnly();
  await mkdir(dir, { recursive: true });
  let file: FileOnDisk | undefined;
  try {
    await receive();
  } catch (e) {
    // a later part that fails (a second file, a cut-off body) leaves nothing of the first on disk
    if (file) await rm(file.path, { force: true });
    throw e;
  }
  if (!file) throw new AppError(400, 'NO_FILE', noFile.zh, noFile.en);
  return file;

  async function receive(): Promise<void> {
    for await (const part of req.parts()) {
      try {
        refuseIllFormedText({ [part.fieldname]: part.type === 'file' ? part.filename : part.value }, 'form');
      } catch (e) {
        if (part.type === 'file') part.file.resume();
        throw e;
      }
      if (part.type !== 'file') continue;
      if (part.fieldname !== 'file' || file) {
        part.file.resume();
        if (part.fieldname !== 'file') throw new AppError(400, 'FILE_FIELD', `文件字段名应为 file，收到“${part.fieldname}”`, `The file field must be named "file", not "${part.fieldname}"`);
        throw new AppError(400, 'TOO_MANY_FILES', '一次只能上传一个文件', 'Upload one file at a time');
      }
      const fileName = part.filename || 'upload';
      const ext = /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1]?.toLowerCase() ?? 'bin';
      const path = join(dir, `${randomUUID()}.${ext}`);
      let bytes = 0;
      part.file.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      try {
        await pipeline(part.file, createWriteStream(path, { flags: 'wx' }));
      } catch (e) {
        await rm(path, { force: true });
        throw e;
      }
      file = { fileName, path, bytes };
    }
  }
}

/**
 * How to read a file, from the query (crs, zone, zoneWidth, axisOrder, encoding, acceptApproximateDatum),
 * plus the bureau's datum shift parameters (DATUM_TRANSFORMS, read with the rest of the configuration
 * at start — config.ts); 400 naming a bad option (an unknown or unsupported EPSG code included).
 */
export function parseOptionsOf(q: {
  crs?: string;
  zone?: number;
  zoneWidth?: 3 | 6;
  axisOrder?: 'xy' | 'yx';
  encoding?: TextEncoding;
  acceptApproximateDatum?: boolean;
}): ParseOptions {
  try {
    const crs = parseCrsParam(q.crs, q.zone, q.zoneWidth);
    const datumTransforms = bureauDatumTransforms();
    return {
      ...(crs ? { crs } : {}),
      ...(q.axisOrder ? { axisOrder: q.axisOrder } : {}),
      ...(q.encoding ? { encoding: q.encoding } : {}),
      ...(q.acceptApproximateDatum ? { acceptApproximateDatum: true } : {}),
      ...(datumTransforms ? { datumTransforms } : {}),
    };
  } catch (e) {
    if (e instanceof ParseError) throw new AppError(400, e.code, e.zh, e.en);
    throw e;
  }
}

let bureau: { raw: string | undefined; value: DatumTransforms | undefined } | undefined;

/** DATUM_TRANSFORMS as configured (validated by loadConfig at start; read again only when it changes). */
function bureauDatumTransforms(): DatumTransforms | undefined {
  const raw = process.env.DATUM_TRANSFORMS;
  if (!bureau || bureau.raw !== raw) bureau = { raw, value: datumTransformsOf(raw) };
  return bureau.value;
}

/**
 * The shared parsers over an upload (parse-file.ts: GeoPackage read first), run in the parse pool
 * of its kind (parse-pool.ts) — off the main thread, under the limits of that kind, killed past its
 * time limit. ParseErrors pass through for the caller to answer; the pool's own refusals (time,
 * memory, busy) are AppErrors. `validate` also validates each feature there.
 */
export async function parseUpload(input: ParseInput, options: ParseOptions, kind: ParseKind = 'site', validate = false): Promise<ParseResult & { validation?: SiteValidation[] }> {
  const { limits: _ignored, ...rest } = options;
  const answer = await parseInPool(kind, input, rest, validate);
  return { ...answer.result, ...(answer.validation ? { validation: answer.validation } : {}) };
}

/**
 * An upload route's error handler: multipart and framework errors translated
 * ({@link translateUploadError}), and a busy parse pool's Retry-After header set.
 */
export function uploadErrorHandler(tooLarge: () => AppError, wrongType: () => AppError = multipartOnly) {
  return (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ParserBusy) reply.header('retry-after', String(err.retryAfterSeconds));
    throw translateUploadError(err, tooLarge, wrongType);
  };
}

/**
 * Reads an uploaded layer of features — GeoJSON, a zipped Shapefile or a GeoPackage — into EPSG:4490
 * (422 naming the problem when it cannot); `what` names the action in messages, e.g. 批量导入.
 */
export async function readFeatureFile(
  req: { log: { warn: (o: object, msg: string) => void } },
  file: UploadedFile,
  options: ParseOptions,
  what: { zh: string; en: string },
  kind: ParseKind = 'site',
  validate = false,
): Promise<ParseResult & { validation?: SiteValidation[] }> {
  refuseApproximateForImport(options, what);
  let parsed: ParseResult & { validation?: SiteValidation[] };
  try {
    parsed = await parseUpload(file, options, kind, validate);
  } catch (e) {
    const known = importParseError(e, what);
    if (known) throw known;
    req.log.warn({ err: e }, 'uploaded feature file could not be parsed');
    throw new AppError(422, 'UNREADABLE', '文件无法读取：格式不正确或文件已损坏', 'The file cannot be read: wrong format or damaged');
  }
  if (parsed.detected.format !== 'geojson' && parsed.detected.format !== 'shapefile') {
    throw new AppError(
      422,
      'UNSUPPORTED_FORMAT',
      `文件格式为 ${parsed.detected.format}：${what.zh}只接受 GeoJSON、Shapefile（.zip）或 GeoPackage（.gpkg）`,
      `The file is ${parsed.detected.format}: ${what.en} takes GeoJSON, a zipped Shapefile or a GeoPackage`,
    );
  }
  return parsed;
}

/**
 * An imported layer or case list is what every later check measures against: it is placed
 * exactly or not at all — an approximate placement is for a planner's own site check only,
 * where the report prints it in red. 400 when the request asks for one.
 */
export function refuseApproximateForImport(options: ParseOptions, what: { zh: string; en: string }): void {
  if (options.acceptApproximateDatum) {
    throw new AppError(
      400,
      'APPROXIMATE_NOT_FOR_IMPORT',
      `${what.zh}不接受近似放置：1954 北京 / 1980 西安坐标系的文件须带转换参数，或由管理员配置本局的转换参数（DATUM_TRANSFORMS）后导入`,
      `${what.en} takes no approximate placement: a Beijing 1954 / Xi'an 1980 file needs its shift parameters, or the administrator configures the bureau's (DATUM_TRANSFORMS) before the import`,
    );
  }
}

/** A reader's error as an import's 422 (an AppError passes through); null for an error that is no reader's. */
export function importParseError(e: unknown, what: { zh: string; en: string }): AppError | null {
    if (e instanceof AppError) return e;
    if (e instanceof ParseError && e.code === 'DATUM_NEEDS_TRANSFORM') {
      // the parser's advice ends in accepting an approximate placement, which an import does not take
      const zh = e.zh.split('请任选其一')[0]!.replace(/[，；。]\s*$/, '');
      const en = e.en.split('Either give')[0]!.replace(/[,;.]\s*$/, '');
      return new AppError(
        422,
        e.code,
        `文件无法导入：${zh}。请在文件中给出到 CGCS2000 的七参数（界址点文件的“转换参数=”行，或 .prj 中的 TOWGS84），或请管理员配置本局的转换参数（DATUM_TRANSFORMS）；${what.zh}不接受近似放置`,
        `The file cannot be imported: ${en}. Give the seven parameters to CGCS2000 in the file (a TOWGS84 in the .prj, a 转换参数= line), or have the administrator configure the bureau's (DATUM_TRANSFORMS); ${what.en} takes no approximate placement`,
      );
    }
    if (e instanceof ParseError) return new AppError(422, e.code, `文件无法导入：${e.zh}`, `The file cannot be imported: ${e.en}`);
  return null;
}
