/**
 * Stock-land search over the parcel catalogue: the filters of GET /api/stock-parcels as
 * one predicate, and its sort orders as one comparator. Pure; the server runs it over the
 * catalogue it holds in memory (a scan of 100 000+ parcels takes a few milliseconds, where
 * the same filters, count and sort in SQL read every row of the wide parcel table).
 *
 * Semantics, as the API documents them: lists match any of their values; areas are
 * inclusive bounds in the chosen unit; a plot-ratio need is met when the parcel's permitted
 * range reaches it; prices and plot ratios exclude parcels without a value; text matches
 * code or name, case-insensitively; sorts put missing values last and break ties by id.
 */
import type { StockSearchQuery } from './contracts/stock.ts';
import { haToM2, muToM2 } from './units.ts';

export interface CatalogueParcel {
  id: number;
  code: string;
  name: string;
  countyCode: string;
  category: string;
  plannedUse: string;
  status: string;
  areaM2: number;
  plotRatioMin: number | null;
  plotRatioMax: number | null;
  refPrice: number | null;
  /** YYYY-MM-DD */
  approvalDate: string | null;
}

const toM2 = (v: number, unit: StockSearchQuery['areaUnit']) => (unit === 'mu' ? muToM2(v) : unit === 'ha' ? haToM2(v) : v);

/** The predicate of a query's filters. */
export function stockFilter(q: StockSearchQuery): (p: CatalogueParcel) => boolean {
  const counties = q.county ? new Set(q.county.split(',')) : null;
  const categories = q.category ? new Set<string>(q.category) : null;
  const uses = q.use ? new Set<string>(q.use) : null;
  const status = q.status ?? ['可供应'];
  const statuses = status === 'all' ? null : new Set<string>(status);
  const minArea = q.minArea === undefined ? null : toM2(q.minArea, q.areaUnit);
  const maxArea = q.maxArea === undefined ? null : toM2(q.maxArea, q.areaUnit);
  const text = q.q ? q.q.toLowerCase() : null;
  return (p) =>
    (counties === null || counties.has(p.countyCode)) &&
    (categories === null || categories.has(p.category)) &&
    (uses === null || uses.has(p.plannedUse)) &&
    (statuses === null || statuses.has(p.status)) &&
    (minArea === null || p.areaM2 >= minArea) &&
    (maxArea === null || p.areaM2 <= maxArea) &&
    (q.minPlotRatio === undefined || (p.plotRatioMax !== null && p.plotRatioMax >= q.minPlotRatio)) &&
    (q.maxPlotRatio === undefined || (p.plotRatioMin !== null && p.plotRatioMin <= q.maxPlotRatio)) &&
    (q.minPrice === undefined || (p.refPrice !== null && p.refPrice >= q.minPrice)) &&
    (q.maxPrice === undefined || (p.refPrice !== null && p.refPrice <= q.maxPrice)) &&
    (text === null || p.code.toLowerCase().includes(text) || p.name.toLowerCase().includes(text));
}

type Key = (p: CatalogueParcel) => number | string | null;

/** The comparator of a sort; `distanceOf` gives metres from `near` (sort=distance). */
export function stockComparator(
  sort: StockSearchQuery['sort'],
  distanceOf?: (p: CatalogueParcel) => number,
): (a: CatalogueParcel, b: CatalogueParcel) => number {
  const desc = sort.startsWith('-');
  const name = desc ? sort.slice(1) : sort;
  const key: Key =
    name === 'area' ? (p) => p.areaM2 : name === 'price' ? (p) => p.refPrice : name === 'date' ? (p) => p.approvalDate : (p) => distanceOf!(p);
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === y) return a.id - b.id;
    if (x === null) return 1; // missing values last, either way
    if (y === null) return -1;
    const c = x < y ? -1 : 1;
    return (desc ? -c : c) || a.id - b.id;
  };
}
