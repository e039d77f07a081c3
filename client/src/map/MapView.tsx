import { useEffect, useRef } from 'react';
import type { StyleSpecification } from 'maplibre-gl';
import type { Lang } from '../i18n.ts';
import { MapController } from './controller.ts';

declare global {
  interface Window {
    /** The live map, for diagnostics and browser tests. */
    yizhangtu?: { controller: MapController };
  }
}

/** Hosts the MapLibre map; the controller is created once and handed to the parent. */
export function MapView(props: {
  style: StyleSpecification;
  initialBounds?: [number, number, number, number];
  lang: Lang;
  onReady: (c: MapController) => void;
  onCursor: (at: { lng: number; lat: number } | null) => void;
  onZoom: (z: number) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const created = useRef(false);
  useEffect(() => {
    if (!ref.current || created.current) return;
    created.current = true;
    const controller = new MapController({
      container: ref.current,
      style: props.style,
      initialBounds: props.initialBounds,
      lang: props.lang,
      onCursor: props.onCursor,
    });
    controller.map.on('zoomend', () => props.onZoom(controller.map.getZoom()));
    props.onZoom(controller.map.getZoom());
    window.yizhangtu = { controller };
    props.onReady(controller);
    // the map lives as long as the page
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return <div ref={ref} className="map" data-testid="map" />;
}
