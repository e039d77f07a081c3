/** Shapes shared by every route. */
import { z } from 'zod';

/** Every 4xx/5xx body: a machine code and a message in the user's language. */
export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'VALIDATION_FAILED' }),
      message: z.string().meta({ example: '请求参数无效：limit 必须是正整数' }),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'ErrorResponse' });
export type ErrorResponse = z.infer<typeof ErrorResponse>;
