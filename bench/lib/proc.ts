/**
 * Measuring processes from outside, for the benchmarks: a process's resident memory from
 * /proc/<pid>/status (its peak, VmHWM, resettable so one step's peak can be read), and a
 * command's wall time and peak memory under GNU time (`/usr/bin/time -v`), else by polling /proc.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const kb = (status: string, field: string) => {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return m ? Number(m[1]) * 1024 : 0;
};

/** Resident memory now and at its peak (VmHWM), bytes; zeros once the process is gone. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: kb(status, 'VmRSS'), peak: kb(status, 'VmHWM') };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/**
 * Resets the process's peak (VmHWM) to its present RSS (`echo 5 > /proc/<pid>/clear_refs`, Linux
 * ≥ 4.0, the process's owner); answers whether it could. Without it the peak is since start.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Watches a process's memory every `everyMs` until stopped: the highest of VmHWM (exact, when it
 * could be reset at the start) and the sampled RSS (in case it could not).
 */
export function watchPeak(pid: number, everyMs = 100): { stop: () => { peak: number; exact: boolean } } {
  const exact = resetPeak(pid);
  let sampled = memoryOf(pid).rss;
  const timer = setInterval(() => (sampled = Math.max(sampled, memoryOf(pid).rss)), everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      const m = memoryOf(pid);
      return { peak: Math.max(sampled, m.rss, exact ? m.peak : 0), exact };
    },
  };
}

export interface CommandRun {
  ms: number;
  /** Peak resident memory, bytes. */
  peak: number;
  code: number | null;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

/** Runs a command to its end: wall time, peak RSS (GNU time's "Maximum resident set size", else polled), exit code. */
export async function timedCommand(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandRun> {
  const gnu = existsSync(GNU_TIME);
  const child = gnu ? spawn(GNU_TIME, ['-v', cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const t0 = performance.now();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 1_000_000) stderr = stderr.slice(-200_000);
  });
  let polled = 0;
  const timer = gnu ? null : setInterval(() => (polled = Math.max(polled, memoryOf(child.pid!).rss)), 50);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const ms = performance.now() - t0;
  if (timer) clearInterval(timer);
  const max = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return { ms, peak: max ? Number(max[1]) * 1024 : polled, code, stderr };
}

export const fmtMB = (bytes: number) => `${Math.round(bytes / 2 ** 20).toLocaleString('en')} MiB`;
