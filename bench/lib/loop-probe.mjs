// Loaded into a benchmarked server with `--import` (bench/lib/server.ts, `imports`): measures the
// server's own event-loop delay (perf_hooks' monitorEventLoopDelay, 10 ms resolution) and its
// CPU time, and answers over the IPC channel — 'reset' starts a window, 'read' reports it.
import { monitorEventLoopDelay } from 'node:perf_hooks';

if (process.send) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  process.on('message', (m) => {
    if (m === 'reset') {
      h.reset();
      cpu0 = process.cpuUsage();
      t0 = performance.now();
      process.send({ reset: true });
    } else if (m === 'read') {
      const cpu = process.cpuUsage(cpu0);
      const ms = (ns) => ns / 1e6;
      process.send({
        p50: ms(h.percentile(50)),
        p99: ms(h.percentile(99)),
        max: ms(h.max),
        mean: ms(h.mean),
        // the whole process (event loop and its worker threads), as a share of one core
        cpuShare: (cpu.user + cpu.system) / 1000 / (performance.now() - t0),
      });
    }
  });
  process.channel?.unref();
}
