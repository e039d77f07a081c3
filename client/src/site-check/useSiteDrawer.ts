/** The site drawer on the workspace map, for as long as the map lives; its state as React state. */
import { useEffect, useState } from 'react';
import type { MapController } from '../map/controller.ts';
import { SiteDrawer, type DrawState } from './draw.ts';

const NOT_READY: DrawState = { ready: false, tool: null, drawing: false, site: null, live: null, editable: false, canUndo: false, vertices: 0, loaded: null };

export function useSiteDrawer(controller: MapController | null): { drawer: SiteDrawer | null; state: DrawState } {
  const [drawer, setDrawer] = useState<SiteDrawer | null>(null);
  const [state, setState] = useState<DrawState>(NOT_READY);
  useEffect(() => {
    if (!controller) return;
    const d = new SiteDrawer(controller);
    const off = d.subscribe(setState);
    setDrawer(d);
    return () => {
      off();
      d.destroy();
      setDrawer(null);
      setState(NOT_READY);
    };
  }, [controller]);
  return { drawer, state };
}
