/**
 * Shutting down without cutting anyone off. `app.close()` (main.ts, on SIGTERM) makes Fastify
 * answer new requests 503 (return503OnClosing), close idle keep-alive connections
 * (forceCloseConnections 'idle') and wait for the requests in flight. Those still in flight
 * are answered with `Connection: close`, so their clients let go of the connection when the
 * answer is complete and the close can finish instead of waiting for the keep-alive timeout.
 */
import fp from 'fastify-plugin';

export default fp(
  async (app) => {
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onSend', (_req, reply, payload, done) => {
      if (closing && !reply.raw.headersSent) reply.header('connection', 'close');
      done(null, payload);
    });
  },
  { name: 'drain' },
);
