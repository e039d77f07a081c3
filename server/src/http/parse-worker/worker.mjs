// A parse worker's entry (piscina loads it in a worker thread): the server's code is TypeScript
// run through tsx, and a worker thread does not inherit the parent's tsx loader (npm start) nor
// vitest's transform, so the worker registers tsx's loader itself before importing the task.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { register } from 'tsx/esm/api';

register();
// a collector the task calls after each file, so an idle worker does not sit on a file's garbage
setFlagsFromString('--expose-gc');
globalThis.collectGarbage = runInNewContext('gc');
const { default: run } = await import('./task.ts');
export default run;
