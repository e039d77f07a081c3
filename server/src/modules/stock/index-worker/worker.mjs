// The stock-land index worker's entry (stock/index-client.ts starts it in a worker thread): the
// server's code is TypeScript run through tsx, and a worker thread does not inherit the parent's
// tsx loader (npm start) nor vitest's transform, so the worker registers tsx's loader itself.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { register } from 'tsx/esm/api';

register();
// a full collection before the index's memory is measured
setFlagsFromString('--expose-gc');
const { setCollector } = await import('./task.ts');
setCollector(runInNewContext('gc'));
