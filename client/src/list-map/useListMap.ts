/**
 * A list and its map kept in step: the map is made once the counties are known (fitted to the
 * counties the address filters on, else the city), marks the result page's records and shows
 * them; a hovered row lights its record on the map and a record under the mouse lights its
 * row; a clicked record selects its row (scrolled into view) or, when it is not on the page,
 * is offered as "not listed"; the selection is drawn on the map.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Lang } from '../i18n.ts';
import type { County } from '../../../core/contracts/features.ts';
import { unionBbox, type Bbox, type MapBase, type RecordMap, type RecordMapOptions, type RecordRef } from './record-map.ts';

/** The base data a list map is made from (stock/common.tsx's useStockBase). */
export interface ListMapBase extends MapBase {
  counties: County[];
  cityBbox: Bbox | undefined;
}

/** The window's slots holding a page's live map, `{ map }` (yizhangtuStock, yizhangtuAudit). */
type MapSlot = { [K in keyof Window]-?: NonNullable<Window[K]> extends { map: RecordMap } ? K : never }[keyof Window];

export interface ListItem {
  id: number;
  code: string;
  center: [number, number];
}

export interface ListMapOptions<M extends RecordMap, T extends ListItem> {
  base: ListMapBase | null;
  /** The counties the address filters on when the page opens. */
  counties: string[];
  /** Makes the map where told (its style and anything else the page's own); the events go to the options given. */
  create: (at: Pick<RecordMapOptions, 'container' | 'bounds' | 'onHover' | 'onRecordClick'>, base: ListMapBase) => M;
  /** The window's slot showing the live map to tests (declared by the page's map module). */
  expose?: MapSlot;
  items: T[];
  /** The list's current answer (the map is refitted when it changes). */
  result: unknown;
  /** Where to fit the view for a new answer (default: the records' centres). */
  fitPoints?: (items: T[]) => [number, number][];
  /** The selection when the page opens (coming back to a list). */
  initialSelected?: number | null;
  /** Eases the map to a selected record outside the view. */
  revealSelected?: boolean;
  /** The page's language: the county names follow it. */
  lang?: Lang;
}

export function useListMap<M extends RecordMap, T extends ListItem>(opts: ListMapOptions<M, T>) {
  const [selectedId, setSelectedId] = useState<number | null>(opts.initialSelected ?? null);
  const [hoveredId, setHoveredId] = useState<number | null>(null);
  const [outside, setOutside] = useState<RecordRef | null>(null);
  const [map, setMap] = useState<M | null>(null);
  const mapRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLElement>(null);
  // the map's events and effects read the latest options
  const live = useRef(opts);
  live.current = opts;

  useEffect(() => {
    const { base, counties, create, expose } = live.current;
    if (!base || !mapRef.current) return;
    const chosen = base.counties.filter((c) => counties.includes(c.code));
    const m = create(
      {
        container: mapRef.current,
        bounds: unionBbox(chosen.map((c) => c.bbox)) ?? base.cityBbox,
        onHover: (r) => setHoveredId(r?.id ?? null),
        onRecordClick: (r) => {
          setSelectedId(r.id);
          setOutside(live.current.items.some((i) => i.id === r.id) ? null : r);
        },
      },
      base,
    );
    setMap(m);
    const slots = window as unknown as Record<string, { map: RecordMap } | undefined>;
    if (expose) slots[expose] = { map: m };
    return () => {
      if (expose && slots[expose]?.map === m) delete slots[expose];
      m.destroy();
      setMap(null);
    };
  }, [opts.base]);

  // results on the map: mark the page's records and show them
  useEffect(() => {
    if (!map || !opts.result) return;
    const { items, fitPoints } = live.current;
    map.setListed(items.map((i) => ({ id: i.id, center: i.center })));
    map.fitPoints(fitPoints ? fitPoints(items) : items.map((i) => i.center));
    // refit only for a new answer
  }, [map, opts.result]);

  const { items, result } = opts;
  useEffect(() => {
    if (selectedId !== null && result && !items.some((i) => i.id === selectedId) && outside?.id !== selectedId) setSelectedId(null);
  }, [items, result, selectedId, outside]);
  useEffect(() => {
    if (map && opts.lang) map.setLang(opts.lang);
  }, [map, opts.lang]);
  useEffect(() => map?.setHover(hoveredId), [map, hoveredId]);
  useEffect(() => map?.setSelected(selectedId), [map, selectedId]);
  // the selected row in view (also once the list arrives), and its record on the map
  useEffect(() => {
    if (selectedId !== null) listRef.current?.querySelector(`tr[data-id="${selectedId}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selectedId, items]);
  useEffect(() => {
    if (!live.current.revealSelected) return;
    const item = live.current.items.find((i) => i.id === selectedId);
    if (item) map?.reveal(item.center);
  }, [map, selectedId]);

  /** A row chosen: selected, and the "not listed" note gone. */
  const select = useCallback((id: number | null) => {
    setSelectedId(id);
    setOutside(null);
  }, []);

  return { map, mapRef, listRef, selectedId, setSelectedId, select, hoveredId, setHoveredId, outside, setOutside };
}
