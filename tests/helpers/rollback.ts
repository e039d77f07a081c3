import type { Database, Queryable } from '../../server/src/db/database.ts';

class Rollback extends Error {}

/** Runs `fn` in a transaction that is always rolled back, so a test that writes leaves the database as it was. */
export async function withRollback<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  let result: T | undefined;
  try {
    await db.transaction(async (tx) => {
      result = await fn(tx);
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
  }
  return result as T;
}
