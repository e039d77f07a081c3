/**
 * A land-use raster over the city, used by the generator to place features so
 * that they never overlap what they must not overlap.
 *
 * Each cell holds one land class. Polygons are written conservatively: every
 * cell an edge passes through gets the polygon's *edge* class, and cells whose
 * centre lies inside get its *interior* class. A cell of interior class is
 * therefore wholly inside the polygon, and a rectangle made only of cells of
 * one interior class lies wholly inside that polygon and outside every
 * polygon written after it.
 */
export type Ring = number[][];

export class LandRaster {
  readonly cols: number;
  readonly rows: number;
  readonly cells: Uint8Array;

  constructor(
    readonly minLon: number,
    readonly minLat: number,
    readonly maxLon: number,
    readonly maxLat: number,
    readonly cellLon: number,
    readonly cellLat: number,
  ) {
    this.cols = Math.ceil((maxLon - minLon) / cellLon);
    this.rows = Math.ceil((maxLat - minLat) / cellLat);
    this.cells = new Uint8Array(this.cols * this.rows);
  }

  col(lon: number): number {
    return Math.floor((lon - this.minLon) / this.cellLon);
  }
  row(lat: number): number {
    return Math.floor((lat - this.minLat) / this.cellLat);
  }
  at(lon: number, lat: number): number {
    const c = this.col(lon);
    const r = this.row(lat);
    if (c < 0 || r < 0 || c >= this.cols || r >= this.rows) return 0;
    return this.cells[r * this.cols + c]!;
  }

  /** Fills cells whose centre is inside the rings (even–odd, so holes stay empty). */
  fillInterior(rings: Ring[], value: number, onlyOver?: (current: number) => boolean): void {
    let minY = Infinity;
    let maxY = -Infinity;
    for (const ring of rings)
      for (const p of ring) {
        minY = Math.min(minY, p[1]!);
        maxY = Math.max(maxY, p[1]!);
      }
    const r0 = Math.max(0, this.row(minY));
    const r1 = Math.min(this.rows - 1, this.row(maxY));
    const xs: number[] = [];
    for (let r = r0; r <= r1; r++) {
      const y = this.minLat + (r + 0.5) * this.cellLat;
      xs.length = 0;
      for (const ring of rings) {
        for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
          const yi = ring[i]![1]!;
          const yj = ring[j]![1]!;
          if (yi > y !== yj > y) {
            const xi = ring[i]![0]!;
            const xj = ring[j]![0]!;
            xs.push(xi + ((y - yi) / (yj - yi)) * (xj - xi));
          }
        }
      }
      xs.sort((a, b) => a - b);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        // cells whose centre x lies in [xs[k], xs[k+1])
        const c0 = Math.max(0, Math.ceil((xs[k]! - this.minLon) / this.cellLon - 0.5));
        const c1 = Math.min(this.cols - 1, Math.ceil((xs[k + 1]! - this.minLon) / this.cellLon - 0.5) - 1);
        const base = r * this.cols;
        for (let c = c0; c <= c1; c++) {
          if (!onlyOver || onlyOver(this.cells[base + c]!)) this.cells[base + c] = value;
        }
      }
    }
  }

  /** Marks every cell that any edge of the rings passes through (a supercover line). */
  markEdges(rings: Ring[], value: number): void {
    for (const ring of rings)
      for (let i = 1; i < ring.length; i++) this.markSegment(ring[i - 1]!, ring[i]!, value);
  }

  markSegment(a: number[], b: number[], value: number): void {
    // Work in cell units; walk the cells the segment crosses (Amanatides–Woo traversal).
    const x0 = (a[0]! - this.minLon) / this.cellLon;
    const y0 = (a[1]! - this.minLat) / this.cellLat;
    const x1 = (b[0]! - this.minLon) / this.cellLon;
    const y1 = (b[1]! - this.minLat) / this.cellLat;
    let cx = Math.floor(x0);
    let cy = Math.floor(y0);
    const ex = Math.floor(x1);
    const ey = Math.floor(y1);
    const dx = x1 - x0;
    const dy = y1 - y0;
    const stepX = dx > 0 ? 1 : -1;
    const stepY = dy > 0 ? 1 : -1;
    const tDeltaX = dx !== 0 ? Math.abs(1 / dx) : Infinity;
    const tDeltaY = dy !== 0 ? Math.abs(1 / dy) : Infinity;
    let tMaxX = dx !== 0 ? (dx > 0 ? cx + 1 - x0 : x0 - cx) * tDeltaX : Infinity;
    let tMaxY = dy !== 0 ? (dy > 0 ? cy + 1 - y0 : y0 - cy) * tDeltaY : Infinity;
    const mark = (c: number, r: number) => {
      // also mark the 8 neighbours: a vertex on a cell line must not leave a neighbour unmarked
      for (let rr = r - 1; rr <= r + 1; rr++)
        for (let cc = c - 1; cc <= c + 1; cc++)
          if (cc >= 0 && rr >= 0 && cc < this.cols && rr < this.rows) this.cells[rr * this.cols + cc] = value;
    };
    mark(cx, cy);
    let guard = Math.abs(ex - cx) + Math.abs(ey - cy) + 2;
    while ((cx !== ex || cy !== ey) && guard-- > 0) {
      if (tMaxX < tMaxY) {
        tMaxX += tDeltaX;
        cx += stepX;
      } else {
        tMaxY += tDeltaY;
        cy += stepY;
      }
      mark(cx, cy);
    }
  }

  /** Marks cells within `radius` (degrees of latitude) of a polyline: rivers and roads. */
  markCorridor(line: number[][], halfWidthM: number, value: number): void {
    const rLat = halfWidthM / 110_900;
    const rLon = halfWidthM / 91_300;
    for (let i = 1; i < line.length; i++) {
      const [ax, ay] = line[i - 1] as [number, number];
      const [bx, by] = line[i] as [number, number];
      const steps = Math.ceil(Math.max(Math.abs(bx - ax) / this.cellLon, Math.abs(by - ay) / this.cellLat) * 2) + 1;
      for (let s = 0; s <= steps; s++) {
        const x = ax + ((bx - ax) * s) / steps;
        const y = ay + ((by - ay) * s) / steps;
        const c0 = Math.max(0, this.col(x - rLon));
        const c1 = Math.min(this.cols - 1, this.col(x + rLon));
        const r0 = Math.max(0, this.row(y - rLat));
        const r1 = Math.min(this.rows - 1, this.row(y + rLat));
        for (let r = r0; r <= r1; r++)
          for (let c = c0; c <= c1; c++) this.cells[r * this.cols + c] = value;
      }
    }
  }

  /**
   * The single class of every cell a rectangle touches, or -1 when it touches
   * more than one class (or leaves the raster).
   */
  classOfRect(x1: number, y1: number, x2: number, y2: number): number {
    const c0 = this.col(x1);
    const c1 = this.col(x2);
    const r0 = this.row(y1);
    const r1 = this.row(y2);
    if (c0 < 0 || r0 < 0 || c1 >= this.cols || r1 >= this.rows) return -1;
    const v = this.cells[r0 * this.cols + c0]!;
    for (let r = r0; r <= r1; r++) {
      const base = r * this.cols;
      for (let c = c0; c <= c1; c++) if (this.cells[base + c] !== v) return -1;
    }
    return v;
  }
}
