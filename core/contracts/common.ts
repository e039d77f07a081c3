/** Shapes shared by every route. */
import { z } from 'zod';

/** Every 4xx/5xx body: a machine code and a message in the user's language. */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'VALIDATION_FAILED' }),
      message: z.string().meta({ example: '请求参数无效：条数上限必须是正整数' }),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'ErrorResponse' });
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/**
 * What every job answered with 202 reports while it runs (imports, layer replacements): its
 * id, the phase in words, the phase's progress (done of total), the whole step's progress 0–1,
 * when it started and ended, and the error when it failed. Each job adds its own phase and
 * result.
 */
export const jobProgressFields = {
  jobId: z.string(),
  phaseZh: z.string(),
  done: z.number().int(),
  total: z.number().int(),
  progress: z.number(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
};

/**
 * The largest value of PostgreSQL's `integer` (int4), the type of every id, version number and
 * count the database keeps: a larger number in a request could never match and would make the
 * query fail, so requests are refused before it.
 */
export const INT4_MAX = 2_147_483_647;

/**
 * A numeric id (a case, a user, a saved search, a feature, a layer version): a positive integer
 * that fits int4, from a path or query string; the message names `field`, e.g. idParam('id（图斑 ID）').
 */
export function idParam(field: string) {
  const message = `${field}须为 1–${INT4_MAX} 的整数`;
  return z.coerce.number({ message }).int(message).min(1, message).max(INT4_MAX, message);
}

/** A year in a query string (?year=2026): a whole number 2000–2100; absent means this year, Beijing time. */
export const yearQueryParam = (description: string) =>
  z.coerce
    .number({ message: '年度须为整数' })
    .int('年度须为整数')
    .min(2000, '年度须在 2000–2100 之间')
    .max(2100, '年度须在 2000–2100 之间')
    .optional()
    .meta({ description, example: 2026 });
