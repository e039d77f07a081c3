// An imagery render worker's entry (piscina loads it in a worker thread): like the parse workers
// (server/src/http/parse-worker/worker.mjs), it registers tsx's loader before importing the task.
import { register } from 'tsx/esm/api';

register();
const { default: run } = await import('./task.ts');
export default run;
