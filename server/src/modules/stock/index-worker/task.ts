/**
 * The stock-land index worker: holds the catalogue's index (stock/catalogue.ts, stock-index.ts)
 * and answers its questions off the event loop that serves requests. One index at a time, under
 * the key of the source layers' versions it was read at; a question asked of another key is
 * answered `stale` (the catalogue loads again and asks once more).
 */
import { parentPort } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { stockFilter } from '../../../../../core/stock-search.ts';
import type { Answers, Reply, Request } from './protocol.ts';
import { buildIndex, match, matchRequest, patchIndex, select, withDistances, type IndexEntry, type StockIndex } from './stock-index.ts';

let index: StockIndex | null = null;

class Stale extends Error {}

function indexAt(key: string): StockIndex {
  if (!index || index.key !== key) throw new Stale();
  return index;
}

let collect: (() => void) | undefined;
export function setCollector(gc: () => void): void {
  collect = gc;
}

function answer(t: Request): { value: unknown; transfer?: ArrayBuffer[] } {
  switch (t.op) {
    case 'load':
      index = null; // the old index goes before the new one is built
      index = buildIndex(t.key, t.parcels, t.pairs);
      return { value: { parcels: index.parcels.length } satisfies Answers['load'] };
    case 'patch': {
      const patched = index && index.key === t.from ? patchIndex(index, t.key, t.parcels) : null;
      if (patched) index = patched;
      return { value: patched !== null };
    }
    case 'page': {
      const { total, selected, distances } = select(indexAt(t.key), t.q, t.offset + t.count);
      return { value: { total, ...withDistances(selected.slice(t.offset, t.offset + t.count), distances) } satisfies Answers['page'] };
    }
    case 'all': {
      const { selected, distances } = select(indexAt(t.key), t.q);
      const ids = Int32Array.from(selected, (p) => p.id);
      const ds = distances ? Float64Array.from(selected, distances) : null;
      return { value: { ids, distances: ds } satisfies Answers['all'], transfer: [ids.buffer, ...(ds ? [ds.buffer] : [])] };
    }
    case 'codes': {
      const keep = stockFilter(t.q, { lowered: (p) => (p as IndexEntry).lowered });
      const out: string[] = [];
      for (const p of indexAt(t.key).parcels) if (keep(p)) out.push(p.code);
      return { value: out };
    }
    case 'newSince': {
      const { selected, distances } = select(indexAt(t.key), t.q);
      const seen = new Set(t.seen);
      const fresh = selected.filter((p) => !seen.has(p.code));
      return { value: { total: fresh.length, ...withDistances(fresh.slice(0, t.limit), distances) } satisfies Answers['newSince'] };
    }
    case 'match':
      return { value: match(indexAt(t.key), t.req, t.maxDistanceKm) };
    case 'matchRequest':
      return { value: matchRequest(indexAt(t.key), t.r, t.limit) };
    case 'memory':
      collect?.();
      return { value: { heapUsed: getHeapStatistics().used_heap_size, parcels: index?.parcels.length ?? 0 } satisfies Answers['memory'] };
  }
}

parentPort!.on('message', (t: Request) => {
  let reply: Reply;
  let transfer: ArrayBuffer[] | undefined;
  try {
    const a = answer(t);
    reply = { id: t.id, ok: true, value: a.value };
    transfer = a.transfer;
  } catch (e) {
    reply = { id: t.id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e), ...(e instanceof Stale ? { stale: true } : {}) };
  }
  parentPort!.postMessage(reply, transfer);
});
parentPort!.postMessage({ ready: true });
