/**
 * Changes that every instance of the app must follow at once, whichever instance (or which
 * command-line tool) made them: PostgreSQL announces them on the channel `yzt_change` from
 * statement triggers (migration 0028) — `data-version` (tiles, the layer list), `sessions` (a
 * sign-out, an account changed), `basemaps` (settings, services), `imagery` (periods) — and each
 * instance LISTENs on one connection of its own (`Database.listen`), re-established after a loss.
 * When it is (re)established every kind is handed out, since what was announced meanwhile was
 * missed. The caches keep their own polling as a safety net.
 *
 * The embedded database is one process: no listener — the modules that cache drop what they hold
 * after their own changes anyway.
 */
import fp from 'fastify-plugin';

export const CHANGE_KINDS = ['data-version', 'sessions', 'basemaps', 'imagery'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export class ChangeFeed {
  private readonly subscribers = new Map<ChangeKind, Set<() => void>>();
  listener: { readonly listening: boolean } | null = null;

  /** Whether notifications from other instances arrive now (never on the embedded database). */
  get listening(): boolean {
    return this.listener?.listening ?? false;
  }

  /** Calls `fn` whenever `kind` changed; returns the unsubscription. */
  on(kind: ChangeKind, fn: () => void): () => void {
    let set = this.subscribers.get(kind);
    if (!set) this.subscribers.set(kind, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /** Hands a change out to this instance's subscribers. */
  emit(kind: string): void {
    for (const fn of this.subscribers.get(kind as ChangeKind) ?? []) {
      try {
        fn();
      } catch {
        // a subscriber only drops a cache; one failing must not keep the others from theirs
      }
    }
  }

  emitAll(): void {
    for (const k of CHANGE_KINDS) this.emit(k);
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    changes: ChangeFeed;
  }
}

export default fp<{ listen?: boolean }>(
  async (app, opts) => {
    const feed = new ChangeFeed();
    app.decorate('changes', feed);
    const listen = app.db.listen;
    if (!listen || opts.listen === false) return;
    const listener = await listen.call(app.db, 'yzt_change', {
      message: (payload) => feed.emit(payload),
      connected: (again) => {
        if (again) feed.emitAll();
      },
    });
    feed.listener = listener;
    app.addHook('onClose', async () => listener.close());
  },
  { name: 'changes', dependencies: ['db'] },
);
