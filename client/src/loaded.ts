/**
 * A value from a module that is loading — a page's component, say — or null until it has
 * arrived. Not React.lazy with Suspense: React holds a boundary's content back for up to 300 ms
 * after its fallback showed, which the workspace's first map render would wait for.
 *
 * @example
 * const MapView = useLoaded(useMemo(() => import('./map/MapView.tsx').then((m) => m.MapView), []));
 * return MapView && <MapView … />;
 */
import { useEffect, useState } from 'react';

export function useLoaded<T>(load: Promise<T> | null): T | null {
  const [state, setState] = useState<{ value: T } | { error: unknown } | null>(null);
  useEffect(() => {
    if (!load) return;
    let alive = true;
    load.then(
      (value) => alive && setState({ value }),
      (error: unknown) => alive && setState({ error }),
    );
    return () => {
      alive = false;
    };
  }, [load]);
  // a chunk that could not be loaded fails the page as a lazy component would
  if (state && 'error' in state) throw state.error;
  return state ? state.value : null;
}
