/**
 * The real server in a child process, for benchmarks that measure it end to end: started as
 * `npm start` would (`node --import tsx server/src/main.ts`) so that its pid is the server's own
 * and its memory can be read from /proc; accounts made in the database beforehand and signed in
 * over HTTP; requests over node:http, an upload streamed from disk (never a Buffer of the file).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AccountRole } from '../../core/access.ts';
import type { Queryable } from '../../server/src/db/database.ts';
import { createUser } from '../../server/src/modules/auth/service.ts';

export interface ChildServer {
  base: string;
  child: ChildProcess;
  pid: number;
  stop: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StartOptions {
  /** The checkout whose server is started (default: this one); its node_modules must resolve. */
  cwd?: string;
  /** More `--import` modules loaded into the server before its main (e.g. a probe of its event loop). */
  imports?: string[];
  /** An IPC channel to the server (the probe answers over it). */
  ipc?: boolean;
  /** More options to node (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

/** Starts the server on `port` with `env` added and waits for GET /api/health (at most 10 minutes). */
export async function startServer(port: number, env: NodeJS.ProcessEnv, opts: StartOptions = {}): Promise<ChildServer> {
  const imports = (opts.imports ?? []).flatMap((m) => ['--import', m]);
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', ...imports, 'server/src/main.ts'], {
    cwd: opts.cwd,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SEED_SCALE: 'none', ...env },
    stdio: opts.ipc ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  };
  const t0 = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await request(base, 'GET', '/api/health').then((r) => r.status === 200, () => false);
    if (ok) break;
    if (performance.now() - t0 > 600_000) {
      await stop();
      throw new Error('server not healthy within 10 minutes');
    }
    await sleep(200);
  }
  return { base, child, pid: child.pid!, stop };
}

export interface Caller {
  headers: Record<string, string>;
  remove: () => Promise<void>;
}

/** A throw-away account of the role, made in the database and signed in through POST /api/session. */
export async function signedIn(db: Queryable, base: string, role: AccountRole): Promise<Caller> {
  const username = `bench-${role}-${randomBytes(4).toString('hex')}`;
  const password = `Bench-${randomBytes(12).toString('hex')}`;
  await createUser(db, { username, role, password });
  const res = await request(base, 'POST', '/api/session', { body: JSON.stringify({ username, password }), headers: { 'content-type': 'application/json' } });
  if (res.status !== 200) throw new Error(`bench sign-in failed: ${res.status} ${res.body}`);
  const cookie = res.setCookie.find((c) => c.startsWith('yzt_session='))!.split(';')[0]!;
  const { csrfToken } = JSON.parse(res.body) as { csrfToken: string };
  return {
    headers: { cookie, 'x-csrf-token': csrfToken },
    remove: async () => {
      await db.query('DELETE FROM app_user WHERE username = $1', [username]);
    },
  };
}

export interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  setCookie: string[];
  ms: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** One request over node:http; the body read whole (answers here are small JSON). */
export function request(base: string, method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(`${base}${path}`, { method, agent, headers: { 'accept-language': 'zh-CN', ...init.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers, setCookie: res.headers['set-cookie'] ?? [], ms: performance.now() - t0 }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** JSON in and out; throws with the answer unless the status is one of `ok`. */
export async function requestJson<T>(base: string, method: string, path: string, headers: Record<string, string>, body: unknown, ok: number[]): Promise<T> {
  const res = await request(base, method, path, {
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!ok.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${res.body.slice(0, 500)}`);
  return JSON.parse(res.body) as T;
}

/**
 * POSTs a file from disk as multipart/form-data (field `file`), streamed: the file is piped
 * into the request with a Content-Length, so neither side holds it in memory.
 */
export function uploadFile(base: string, path: string, file: string, headers: Record<string, string>, fileName = basename(file)): Promise<Answer> {
  const boundary = `----yzt-bench-${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = head.length + statSync(file).size + tail.length;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(
      `${base}${path}`,
      { method: 'POST', headers: { 'accept-language': 'zh-CN', ...headers, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers, setCookie: res.headers['set-cookie'] ?? [], ms: performance.now() - t0 }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.write(head);
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    stream.on('error', (e) => req.destroy(e));
    stream.pipe(req, { end: false });
    stream.on('end', () => req.end(tail));
  });
}
