import { z } from 'zod';

export const HealthResponse = z
  .object({
    status: z.literal('ok'),
    database: z.enum(['postgis', 'embedded']),
    /** Changes whenever any layer's data changes. */
    dataVersion: z.string(),
  })
  .meta({ id: 'HealthResponse' });
export type HealthResponse = z.infer<typeof HealthResponse>;
