/**
 * nginx in front of app instances, for benchmarks and tests: `start({ listenPort, upstreams,
 * cacheDir })` renders deploy/nginx.conf for those ports into a temporary prefix (its pid, logs,
 * temp files) and runs `/usr/sbin/nginx` in the foreground until `stop()`. When run as root, nginx
 * runs as `nobody` (the prefix and the cache directory are handed to it), so nothing it writes is
 * root's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NGINX = process.env.NGINX_BIN || '/usr/sbin/nginx';
export const nginxInstalled = (): boolean => existsSync(NGINX);

const TEMPLATE = new URL('../../deploy/nginx.conf', import.meta.url);

export interface NginxOptions {
  /** The port nginx listens on (127.0.0.1). */
  listenPort: number;
  /** The app instances' ports on 127.0.0.1. */
  upstreams: number[];
  /** Where the shared HTTP cache keeps its files (created if missing). */
  cacheDir: string;
  /** nginx worker processes; default 1. */
  workers?: number;
}

export interface RunningNginx {
  /** e.g. http://127.0.0.1:8080 */
  base: string;
  /** The rendered configuration file. */
  config: string;
  stop(): Promise<void>;
}

/** deploy/nginx.conf with its placeholders filled for these ports and directories. */
export function renderNginxConfig(opts: NginxOptions & { prefix: string }): string {
  if (!opts.upstreams.length) throw new Error('nginx needs at least one upstream port');
  const servers = opts.upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n');
  return readFileSync(TEMPLATE, 'utf8')
    .replace(/^\s*# @upstream-servers@.*\n(\s*server [^\n]*\n)*/m, `${servers}\n`)
    .replaceAll('@prefix@', opts.prefix)
    .replaceAll('@cache_dir@', opts.cacheDir)
    .replaceAll('@listen@', `127.0.0.1:${opts.listenPort}`)
    .replaceAll('@workers@', String(opts.workers ?? 1));
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

export async function start(opts: NginxOptions): Promise<RunningNginx> {
  if (!nginxInstalled()) throw new Error(`nginx not found at ${NGINX} (apt-get install nginx)`);
  const prefix = mkdtempSync(join(tmpdir(), 'yzt-nginx-'));
  mkdirSync(opts.cacheDir, { recursive: true });
  const config = join(prefix, 'nginx.conf');
  writeFileSync(config, renderNginxConfig({ ...opts, prefix }));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chownSync(prefix, 65534, 65534);
    chownSync(opts.cacheDir, 65534, 65534);
  }
  const child: ChildProcess = spawn(NGINX, ['-p', prefix, '-c', config, '-e', join(prefix, 'error.log'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGQUIT');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(prefix, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) {
      const log = existsSync(join(prefix, 'error.log')) ? readFileSync(join(prefix, 'error.log'), 'utf8') : '';
      rmSync(prefix, { recursive: true, force: true });
      throw new Error(`nginx exited with ${child.exitCode}: ${stderr}${log}`);
    }
    if (await answers(opts.listenPort)) return { base: `http://127.0.0.1:${opts.listenPort}`, config, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`nginx did not listen on ${opts.listenPort} within 5 s: ${stderr}`);
}
