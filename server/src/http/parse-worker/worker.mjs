// A parse worker's entry (piscina loads it in a worker thread): the server's code is TypeScript
// run through tsx, so the worker registers tsx's loader before importing the task — whether or
// not the parent process runs under tsx (npm start) or another runner (vitest).
import { register } from 'tsx/esm/api';

register();
const { default: run } = await import('./task.ts');
export default run;
