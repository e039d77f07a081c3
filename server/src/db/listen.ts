/**
 * One LISTEN connection of its own (node-postgres `Client`, not a pool's): notifications on a
 * channel handed to `message`; when the connection is lost it is opened again — after 0.25 s,
 * doubling to 5 s between attempts — and `connected` is called each time it is (re)established,
 * since whatever was announced while it was down was missed.
 */
import pg from 'pg';


export interface ListenHandlers {
  message(payload: string): void;
  /** The LISTEN is in place (first time and after every reconnection). */
  connected?(again: boolean): void;
}

export interface Listener {
  /** Whether the LISTEN is in place now. */
  readonly listening: boolean;
  close(): Promise<void>;
}

interface Log {
  warn: (m: string) => void;
  info: (m: string) => void;
}

export async function listen(url: string, channel: string, handlers: ListenHandlers, log: Log): Promise<Listener> {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
  let client: pg.Client | null = null;
  let closed = false;
  let listening = false;
  let delay = 250;
  let timer: NodeJS.Timeout | null = null;
  let everConnected = false;
  let lostLogged = false;

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, 5_000);
  };

  const lost = (c: pg.Client, err?: Error) => {
    if (client !== c) return;
    client = null;
    listening = false;
    c.removeAllListeners('notification');
    c.end().catch(() => {});
    if (closed) return;
    if (!lostLogged) log.warn(`变更通知连接断开 change notifications lost (${err?.message ?? 'connection ended'}); 正在重连 reconnecting`);
    lostLogged = true;
    schedule();
  };

  async function connect(): Promise<void> {
    if (closed) return;
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true });
    client = c;
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    c.on('notification', (n) => {
      if (n.channel === channel) handlers.message(n.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (err) {
      lost(c, err as Error);
      return;
    }
    if (closed || client !== c) return;
    listening = true;
    delay = 250;
    if (lostLogged) log.info('变更通知已恢复 change notifications restored');
    lostLogged = false;
    const again = everConnected;
    everConnected = true;
    handlers.connected?.(again);
  }

  await connect();
  return {
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      listening = false;
      if (c) await c.end().catch(() => {});
    },
  };
}
