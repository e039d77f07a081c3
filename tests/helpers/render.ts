/**
 * Render tests, as MapLibre's own are made: a fixed view is drawn in headless Chromium and its
 * pixels compared with an expected PNG kept in the repo (tests/render/expected/<name>.png) by
 * pixelmatch. A missing expected image fails the test; it is written only on request
 * (RENDER_UPDATE=1, see tests/render/README.md), then looked at and committed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

export const EXPECTED_DIR = join(process.cwd(), 'tests/render/expected');
const ACTUAL_DIR = join(process.cwd(), 'test-results/render');

export interface RenderComparison {
  /** Pixels that differ beyond pixelmatch's colour threshold, as a share of all pixels. */
  differing: number;
  width: number;
  height: number;
  /** Where the actual image and the difference image were written when they disagree. */
  actualPath?: string;
  diffPath?: string;
}

/**
 * Compares a rendered PNG with the expected one of that name. `threshold` is pixelmatch's
 * per-pixel colour distance (0–1); anti-aliased edge pixels are not counted.
 */
export function compareRender(name: string, png: Buffer, threshold = 0.1): RenderComparison {
  const expectedPath = join(EXPECTED_DIR, `${name}.png`);
  if (process.env.RENDER_UPDATE === '1') {
    mkdirSync(EXPECTED_DIR, { recursive: true });
    writeFileSync(expectedPath, png);
  }
  if (!existsSync(expectedPath)) {
    throw new Error(`no expected image ${expectedPath}: draw it with RENDER_UPDATE=1 (tests/render/README.md), look at it, commit it`);
  }
  const actual = PNG.sync.read(png);
  const expected = PNG.sync.read(readFileSync(expectedPath));
  if (actual.width !== expected.width || actual.height !== expected.height) {
    throw new Error(`${name}: drawn ${actual.width}×${actual.height}, expected ${expected.width}×${expected.height}`);
  }
  const diff = new PNG({ width: actual.width, height: actual.height });
  const n = pixelmatch(actual.data, expected.data, diff.data, actual.width, actual.height, { threshold, includeAA: false });
  const result: RenderComparison = { differing: n / (actual.width * actual.height), width: actual.width, height: actual.height };
  if (n > 0) {
    mkdirSync(ACTUAL_DIR, { recursive: true });
    result.actualPath = join(ACTUAL_DIR, `${name}.actual.png`);
    result.diffPath = join(ACTUAL_DIR, `${name}.diff.png`);
    writeFileSync(result.actualPath, png);
    writeFileSync(result.diffPath, PNG.sync.write(diff));
  }
  return result;
}
