/**
 * The little of Node's `events` that @maplibre/maplibre-gl-compare uses (`new EventEmitter()`,
 * `on`, `emit`, `removeListener`), for the browser: vite.config.ts points `events` here.
 */
type Listener = (...args: unknown[]) => void;

export class EventEmitter {
  private listeners = new Map<string, Listener[]>();
  on(type: string, fn: Listener): this {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
    return this;
  }
  addListener(type: string, fn: Listener): this {
    return this.on(type, fn);
  }
  removeListener(type: string, fn: Listener): this {
    this.listeners.set(type, (this.listeners.get(type) ?? []).filter((f) => f !== fn));
    return this;
  }
  off(type: string, fn: Listener): this {
    return this.removeListener(type, fn);
  }
  emit(type: string, ...args: unknown[]): boolean {
    const list = this.listeners.get(type) ?? [];
    for (const fn of list) fn(...args);
    return list.length > 0;
  }
}

export default { EventEmitter };
