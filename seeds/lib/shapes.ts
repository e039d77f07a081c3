/**
 * Small shape builders for the generator. Coordinates are lon/lat degrees
 * (EPSG:4490); lengths are given in metres and converted at Kaifeng's latitude.
 */
import type { Rng } from './rng.ts';

export type Ring = number[][];
/** Polygon as rings: outer first, then holes. */
export type PolygonRings = Ring[];

/** Metres per degree near 34.6° N on the GRS80 ellipsoid (good to 0.1 % over the city). */
export const M_PER_DEG_LAT = 110_925;
export const M_PER_DEG_LON = 91_700;

export const round7 = (v: number): number => Math.round(v * 1e7) / 1e7;

/** A closed axis-aligned rectangle ring, counter-clockwise. */
export function rectRing(x1: number, y1: number, x2: number, y2: number): Ring {
  const a = round7(x1);
  const b = round7(y1);
  const c = round7(x2);
  const d = round7(y2);
  return [
    [a, b],
    [c, b],
    [c, d],
    [a, d],
    [a, b],
  ];
}

/**
 * A smooth irregular closed ring around a centre: a circle whose radius is
 * modulated by a few low harmonics. Star-shaped around the centre, hence simple.
 */
export function blobRing(
  rng: Rng,
  center: readonly [number, number],
  radiusM: number,
  vertices = 48,
  roughness = 0.22,
): Ring {
  const harmonics = [2, 3, 4, 5, 7].map((k) => ({
    k,
    amp: (roughness * rng.range(0.3, 1)) / Math.sqrt(k),
    phase: rng.range(0, Math.PI * 2),
  }));
  const ring: Ring = [];
  for (let i = 0; i < vertices; i++) {
    const t = (i / vertices) * Math.PI * 2;
    let f = 1;
    for (const h of harmonics) f += h.amp * Math.sin(h.k * t + h.phase);
    const r = radiusM * Math.max(0.35, f);
    ring.push([
      round7(center[0] + (r * Math.cos(t)) / M_PER_DEG_LON),
      round7(center[1] + (r * Math.sin(t)) / M_PER_DEG_LAT),
    ]);
  }
  ring.push([ring[0]![0]!, ring[0]![1]!]);
  return ring;
}

/** Distance in metres between two lon/lat points (local flat approximation). */
export function distanceM(a: readonly number[], b: readonly number[]): number {
  return Math.hypot((a[0]! - b[0]!) * M_PER_DEG_LON, (a[1]! - b[1]!) * M_PER_DEG_LAT);
}

/** Bounding box [minLon, minLat, maxLon, maxLat] of rings. */
export function ringsBbox(rings: Ring[]): [number, number, number, number] {
  let a = Infinity;
  let b = Infinity;
  let c = -Infinity;
  let d = -Infinity;
  for (const ring of rings)
    for (const [x, y] of ring) {
      a = Math.min(a, x!);
      b = Math.min(b, y!);
      c = Math.max(c, x!);
      d = Math.max(d, y!);
    }
  return [a, b, c, d];
}

/**
 * Splits a rectangle into lots, treemap style: cut across the longer side at a
 * random fraction until a lot is no larger than a size drawn for it.
 */
export function splitLots(
  rng: Rng,
  rect: [number, number, number, number],
  drawTargetM2: () => number,
  gap: number,
  out: [number, number, number, number][] = [],
): [number, number, number, number][] {
  const [x1, y1, x2, y2] = rect;
  const w = (x2 - x1) * M_PER_DEG_LON;
  const h = (y2 - y1) * M_PER_DEG_LAT;
  const target = drawTargetM2();
  if (w * h <= target * 1.4 || w < 30 || h < 30) {
    out.push([x1 + gap / 2, y1 + gap / 2, x2 - gap / 2, y2 - gap / 2]);
    return out;
  }
  const f = rng.range(0.35, 0.65);
  if (w >= h) {
    const xm = x1 + (x2 - x1) * f;
    splitLots(rng, [x1, y1, xm, y2], drawTargetM2, gap, out);
    splitLots(rng, [xm, y1, x2, y2], drawTargetM2, gap, out);
  } else {
    const ym = y1 + (y2 - y1) * f;
    splitLots(rng, [x1, y1, x2, ym], drawTargetM2, gap, out);
    splitLots(rng, [x1, ym, x2, y2], drawTargetM2, gap, out);
  }
  return out;
}

/** Cumulative split positions of [a, b] into n parts of random, similar widths. */
export function splitPositions(rng: Rng, a: number, b: number, n: number): number[] {
  const w = Array.from({ length: n }, () => rng.range(0.7, 1.3));
  const total = w.reduce((s, v) => s + v, 0);
  const out = [a];
  let acc = a;
  for (const v of w) {
    acc += ((b - a) * v) / total;
    out.push(acc);
  }
  out[n] = b;
  return out;
}
