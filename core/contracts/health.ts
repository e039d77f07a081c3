import { z } from 'zod';

export const HealthResponse = z
  .object({
    status: z.literal('ok'),
    database: z.enum(['postgis', 'embedded']),
    /** Changes whenever any layer's data changes. */
    dataVersion: z.string(),
    /**
     * The read replica (DATABASE_REPLICA_URL), null when none is configured: `ok` (reads go to
     * it), `lagging` (further behind than `maxLagMs`), `down` (unreachable or not a standby) or
     * `starting`; `lagMs` as of the last check (null while down), `readsFrom` where reads go now.
     */
    replica: z
      .object({
        state: z.enum(['starting', 'ok', 'lagging', 'down']),
        lagMs: z.number().nullable(),
        maxLagMs: z.number(),
        readsFrom: z.enum(['primary', 'replica']),
        reason: z.string().nullable(),
        checkedAt: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'HealthResponse' });
export type HealthResponse = z.infer<typeof HealthResponse>;
