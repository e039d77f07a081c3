/**
 * Which failures mean "the database cannot be reached right now" (answered 503 with
 * Retry-After) and which are a wrong request or query (never hidden behind a 503). The
 * server-side codes are node-postgres's own DatabaseError as the server would send them; the
 * refused connection is a real one, to a loopback port nobody listens on.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../server/src/plugins/errors.ts';

const serverError = (code: string, message: string) => Object.assign(new pg.DatabaseError(message, 0, 'error'), { code, severity: 'FATAL' });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['57P01', 'terminating connection due to administrator command'],
    ['57P02', 'terminating connection due to crash of another server process'],
    ['57P03', 'the database system is starting up'],
    ['08006', 'connection failure'],
    ['08001', 'could not establish connection'],
    ['53300', 'sorry, too many clients already'],
  ])('server code %s (%s) → unavailable', (code, message) => {
    expect(isDatabaseUnavailable(serverError(code, message))).toBe(true);
  });

  it.each([
    ['23505', 'duplicate key value violates unique constraint'],
    ['22012', 'division by zero'],
    ['42P01', 'relation "nope" does not exist'],
    ['22P02', 'invalid input syntax for type integer'],
    ['XX000', 'GEOSIntersects: TopologyException'],
    ['57014', 'canceling statement due to statement timeout'],
  ])('server code %s (%s) → a real error, not unavailable', (code, message) => {
    expect(isDatabaseUnavailable(serverError(code, message))).toBe(false);
  });

  it('the pool and driver messages of a lost or late connection → unavailable, also as a cause', () => {
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated due to connection timeout'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('loading the index failed', { cause: new Error('Connection terminated unexpectedly') }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('something else'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  it('a refused connection (localhost resolving to several addresses gives an AggregateError) → unavailable', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    for (const host of ['127.0.0.1', 'localhost']) {
      const client = new pg.Client({ host, port, user: 'nobody', database: 'nothing', connectionTimeoutMillis: 2000 });
      const err = await client.connect().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, host).not.toBeNull();
      expect(isDatabaseUnavailable(err), `${host}: ${String(err)}`).toBe(true);
    }
  });
});
