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

/** The lists a query picks from (undefined: any value) — what an index partitioned by county, status and use selects by. */
export function stockDimensions(q: StockSearchQuery): { counties?: string[]; statuses?: string[]; uses?: string[] } {
  const status = q.status ?? ['可供应'];
  return {
    counties: q.county ? [...new Set(q.county.split(','))] : undefined,
    statuses: status === 'all' ? undefined : [...new Set<string>(status)],
    uses: q.use ? [...new Set<string>(q.use)] : undefined,
  };
}

/**
 * The predicate of a query's filters. With `dimensions: false` it leaves out county, status and
 * use (the caller picked its parcels by them), with `text: false` the free text (the caller found
 * the parcels holding it); `lowered` gives a parcel's code and name already in lower case (an
 * index keeps them so, rather than lowering both per parcel per search).
 */
export function stockFilter(
  q: StockSearchQuery,
  opts: { dimensions?: boolean; text?: boolean; lowered?: (p: CatalogueParcel) => readonly [string, string] } = {},
): (p: CatalogueParcel) => boolean {
  const dims = opts.dimensions === false ? {} : stockDimensions(q);
  const counties = dims.counties ? new Set(dims.counties) : null;
  const categories = q.category ? new Set<string>(q.category) : null;
  const uses = dims.uses ? new Set(dims.uses) : null;
  const statuses = dims.statuses ? new Set(dims.statuses) : null;
  const minArea = q.minArea === undefined ? null : toM2(q.minArea, q.areaUnit);
  const maxArea = q.maxArea === undefined ? null : toM2(q.maxArea, q.areaUnit);
  const text = q.q && opts.text !== false ? q.q.toLowerCase() : null;
  const lowered = opts.lowered ?? ((p: CatalogueParcel) => [p.code.toLowerCase(), p.name.toLowerCase()] as const);
  const matchesText = (p: CatalogueParcel) => {
    const l = lowered(p);
    return l[0].includes(text!) || l[1].includes(text!);
  };
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
    (text === null || matchesText(p));
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
