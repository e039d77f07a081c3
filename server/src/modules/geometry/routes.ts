/**
 * `POST /api/geometry/parse`: reads a site the way a planner brings it — an uploaded
 * file (multipart, field `file`: GeoJSON, zipped Shapefile, 界址点坐标文件, KML/KMZ,
 * coordinate text; or a form field `text`), a `text/plain` body, or `application/json`
 * `{ "text": … }` — and
 * answers the features in EPSG:4490 with what was detected, warnings and a validation
 * per feature. Bad input is a 4xx naming the problem (422 for content that cannot be
 * read), never a 500; more than 20 MB is a 413.
 */
import { ROLES } from '../../../../core/access.ts';
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ErrorResponse } from '../../../../core/contracts/common.ts';
import { MAX_SITE_FILE_BYTES, ParseQuery, ParseResponse, ParseTextBody } from '../../../../core/contracts/geometry.ts';
import { validateSiteGeometry } from '../../../../core/geometry-validation.ts';
import { ParseError, type ParseInput } from '../../formats/parsers/index.ts';
import { parseOptionsOf, parseUpload, uploadErrorHandler } from '../../http/upload.ts';
import { AppError } from '../../plugins/errors.ts';
import { buildProvenance, overridesDetection, overridesOf } from './provenance.ts';
import { refuseIllFormedText } from '../../plugins/input.ts';

const MB = MAX_SITE_FILE_BYTES / 1024 / 1024;

const tooLarge = () =>
  new AppError(413, 'FILE_TOO_LARGE', `文件过大：最大 ${MB} MB；请删去无关图层或要素后再上传`, `The file is too large: at most ${MB} MB; remove unrelated layers or features and upload again`);

const wrongType = () =>
  new AppError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    '不支持的请求内容类型：请用 multipart/form-data 上传文件（字段名 file），或以 text/plain、application/json {"text": …} 发送文本',
    'Unsupported content type: upload with multipart/form-data (field "file"), or send text/plain or application/json {"text": …}',
  );

function noInput(): AppError {
  return new AppError(
    400,
    'NO_INPUT',
    '没有收到内容：请上传一个文件（字段名 file），或粘贴坐标文本',
    'Nothing received: upload one file (field "file") or paste coordinate text',
  );
}

/** The site to parse, from whichever body the request has. */
async function inputOf(req: FastifyRequest): Promise<ParseInput> {
  if (req.isMultipart()) {
    let file: { fileName: string; bytes: Uint8Array } | undefined;
    let text: string | undefined;
    for await (const part of req.parts()) {
      try {
        refuseIllFormedText({ [part.fieldname]: part.type === 'file' ? part.filename : part.value }, 'form');
      } catch (e) {
        if (part.type === 'file') part.file.resume();
        throw e;
      }
      if (part.type !== 'file') {
        // an HTML form may send pasted text as a field named "text"
        if (part.fieldname === 'text' && typeof part.value === 'string' && part.value.trim()) text = part.value;
        continue;
      }
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw new AppError(400, 'FILE_FIELD', `文件字段名应为 file，收到“${part.fieldname}”`, `The file field must be named "file", not "${part.fieldname}"`);
      }
      const bytes = await part.toBuffer();
      file = { fileName: part.filename || 'upload', bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    }
    if (file) return file;
    if (text !== undefined) return { text };
    throw noInput();
  }
  const body: unknown = req.body;
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) throw noInput();
    return { fileName: 'pasted.txt', bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
  }
  if (body === undefined || body === null || body === '') throw noInput();
  const parsed = ParseTextBody.safeParse(body);
  if (!parsed.success) {
    throw new AppError(400, 'INVALID_BODY', 'JSON 请求体应为 {"text": "粘贴的坐标或界址点文件内容"}', 'The JSON body must be {"text": "pasted coordinates or boundary-point file"}');
  }
  return { text: parsed.data.text };
}

const routes: FastifyPluginAsyncZod = async (app) => {
  await app.register(multipart, { limits: { fileSize: MAX_SITE_FILE_BYTES, files: 1 } });

  // raw bytes for text/plain, so a GBK 界址点 text is detected like an uploaded file
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'buffer', bodyLimit: MAX_SITE_FILE_BYTES }, (_req, body, done) => done(null, body));

  // rethrown errors go on to the app's error handler, which answers in the user's language
  app.setErrorHandler(uploadErrorHandler(tooLarge, wrongType));

  app.post(
    '/api/geometry/parse',
    {
      config: { access: ROLES },
      bodyLimit: MAX_SITE_FILE_BYTES,
      schema: {
        summary: '解析用地范围文件 Parse a site file',
        description:
          '上传一个文件（multipart/form-data，字段名 file）：GeoJSON、Shapefile（.zip，含 .shp/.dbf/.prj/.cpg）、界址点坐标文件（.txt，GBK 或 UTF-8）、KML/KMZ、坐标文本；' +
          '或以 text/plain 发送粘贴的坐标/界址点文本，或 application/json {"text": …}。返回 EPSG:4490 经纬度的面要素、识别出的格式/坐标系/带号/坐标顺序/编码、提示，以及每个要素的图形检查结果。' +
          '查询参数 crs、zone、zoneWidth、axisOrder、encoding 可覆盖自动识别；acceptApproximateDatum=true 接受无转换参数的 1954 北京 / 1980 西安坐标系文件按近似位置放置。坐标系无法识别或不支持、缺少转换参数、带号无法确定等无法读取的内容返回 422，文件超过 20 MB 返回 413。',
        tags: ['geometry'],
        consumes: ['multipart/form-data', 'text/plain', 'application/json'],
        querystring: ParseQuery,
        response: { 200: ParseResponse, 400: ErrorResponse, 413: ErrorResponse, 415: ErrorResponse, 422: ErrorResponse },
      },
    },
    async (req) => {
      const options = parseOptionsOf(req.query);
      const input = await inputOf(req);
      try {
        const overrides = overridesOf(req.query, options);
        // read and validated in a parse worker, off the event loop; the bytes move to the worker,
        // so a file read again for the provenance's un-overridden detection is sent as a copy
        const first = 'bytes' in input && overridesDetection(overrides) ? { fileName: input.fileName, bytes: input.bytes.slice() } : input;
        const result = await parseUpload(first, options, 'site', true);
        const validation = result.validation ?? result.features.features.map((f) => validateSiteGeometry(f.geometry));
        // the provenance the site check files with the site: a file's name only for an uploaded file
        const fileName = 'fileName' in input && req.isMultipart() ? input.fileName : null;
        const provenance = await buildProvenance({ input, fileName, options, overrides, result });
        return { ...result, validation, provenance, name: result.name ?? null };
      } catch (e) {
        if (e instanceof AppError) throw e;
        if (e instanceof ParseError) throw new AppError(422, e.code, e.zh, e.en);
        req.log.warn({ err: e }, 'site file could not be parsed');
        throw new AppError(422, 'UNREADABLE', '无法读取该文件：格式不正确或文件已损坏', 'The file cannot be read: wrong format or damaged');
      }
    },
  );
};
export default routes;
