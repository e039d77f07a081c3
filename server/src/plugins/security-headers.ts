/**
 * The security headers of every response: helmet's (CSP allowing only the configured base-map
 * origins, HSTS, X-Content-Type-Options, frame and opener policies …) and our Permissions-Policy.
 *
 * They depend on the configuration only, never on the request, so helmet's middleware is run
 * once against a recording response when the app is built and the headers it set are copied into
 * every reply in one synchronous `onRequest` hook — so 404s, refusals and errors carry them too —
 * instead of helmet parsing its directives again for each request.
 */
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The headers helmet sets for `options`, as name → value (names lower-cased). */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return res;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
    getHeader(name: string) {
      return headers[name.toLowerCase()];
    },
  };
  let failed: unknown = null;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) failed = err;
  });
  if (failed) throw failed;
  return headers;
}

export default fp<{ helmet: HelmetOptions; extra?: Record<string, string> }>(
  async (app, opts) => {
    const headers = { ...helmetHeaders(opts.helmet), ...opts.extra };
    const entries = Object.entries(headers);
    app.addHook('onRequest', (_req, reply, done) => {
      for (const [k, v] of entries) reply.header(k, v);
      done();
    });
  },
  { name: 'security-headers' },
);
