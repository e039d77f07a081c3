/**
 * Serves a file by HTTP range requests — what a PMTiles reader asks for (its header, then the
 * directories and tiles it needs): `Accept-Ranges: bytes`, one range per request (206 with
 * `Content-Range`), 416 for a range past the end, an `ETag` from size and modification time so
 * a reader notices a file replaced under it (and `If-None-Match` / `If-Range` honoured).
 */
import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../plugins/errors.ts';

export function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null; // several ranges or another unit: the whole file
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  let start: number;
  let end: number;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return null;
  }
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

export function sendFileRange(req: FastifyRequest, reply: FastifyReply, file: { path: string; bytes: number; mtimeMs: number }, contentType: string) {
  const etag = `"${file.bytes.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
  reply.header('accept-ranges', 'bytes').header('etag', etag).header('cache-control', 'public, max-age=300').header('content-type', contentType);
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return reply.code(304).send();
  const rangeHeader = req.headers.range;
  const ifRange = req.headers['if-range'];
  const range = rangeHeader && (!ifRange || ifRange === etag) ? parseRange(rangeHeader, file.bytes) : null;
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${file.bytes}`);
    throw new AppError(416, 'RANGE_NOT_SATISFIABLE', `请求的字节范围超出文件长度（${file.bytes} 字节）`, `The range asked for lies past the end of the file (${file.bytes} bytes)`);
  }
  if (!range) {
    reply.header('content-length', file.bytes);
    return reply.code(200).send(req.method === 'HEAD' ? '' : createReadStream(file.path));
  }
  reply.header('content-range', `bytes ${range.start}-${range.end}/${file.bytes}`).header('content-length', range.end - range.start + 1);
  return reply.code(206).send(req.method === 'HEAD' ? '' : createReadStream(file.path, { start: range.start, end: range.end }));
}
