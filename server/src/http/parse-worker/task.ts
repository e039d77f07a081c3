/**
 * The task a parse worker runs (parse-pool.ts): an uploaded file read with the shared parsers
 * under the limits of its kind, each feature validated on request. Failures come back as values
 * (a ParseError's code and words), since an error's class does not cross to the main thread.
 */
import { setDataExtent, validateSiteGeometry, type DataExtent, type SiteValidation } from '../../../../core/geometry-validation.ts';
import { LAYER_FILE_LIMITS, ParseError, SITE_FILE_LIMITS, type ParseInput, type ParseOptions, type ParseResult } from '../../formats/parsers/index.ts';
import { parseFile } from '../../formats/parsers/parse-file.ts';

export type ParseKind = 'site' | 'layer';

export interface ParseTask {
  kind: ParseKind;
  input: ParseInput;
  options: Omit<ParseOptions, 'limits'>;
  /** Validate each feature (validateSiteGeometry) in the worker too. */
  validate?: boolean;
  /** The main thread's data extent (a worker's module state starts at Kaifeng's). */
  extent?: DataExtent;
}

export type ParseAnswer =
  | { ok: true; result: ParseResult; validation?: SiteValidation[] }
  | { ok: false; code: string; zh: string; en: string; detail?: string };

/** Set by worker.mjs: a full garbage collection. */
const collect = (globalThis as { collectGarbage?: () => void }).collectGarbage;

export default async function run(task: ParseTask): Promise<ParseAnswer> {
  try {
    return await read(task);
  } finally {
    // the inflated archive, the file's bytes and the parsers' intermediate objects are garbage now
    task.input = { text: '' };
    if (collect) setImmediate(collect); // after the answer has been posted
  }
}

async function read(task: ParseTask): Promise<ParseAnswer> {
  try {
    const limits = task.kind === 'layer' ? LAYER_FILE_LIMITS : SITE_FILE_LIMITS;
    const result = await parseFile(task.input, { ...task.options, limits });
    if (task.extent) setDataExtent(task.extent);
    const validation = task.validate ? result.features.features.map((f) => validateSiteGeometry(f.geometry)) : undefined;
    return { ok: true, result, ...(validation ? { validation } : {}) };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, code: e.code, zh: e.zh, en: e.en };
    return { ok: false, code: 'UNREADABLE', zh: '', en: '', detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
