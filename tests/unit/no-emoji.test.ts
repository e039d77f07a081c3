/**
 * No emoji in the client's sources: office PCs without an emoji font (Kylin, UOS) show one as a
 * box. Icons are inline SVG components (client/src/Icon.tsx). The rendered pages are checked
 * for emoji too, by tests/e2e/layout.test.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = 'client/src';
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(tsx?|css|html)$/.test(f) ? [p] : [];
  });

describe('the client has no emoji', () => {
  it('finds none in client/src (an emoji-presentation character or the emoji variation selector)', () => {
    const emoji = /\p{Emoji_Presentation}|\uFE0F/gu;
    const found: string[] = [];
    for (const f of files(ROOT)) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const m of line.matchAll(emoji)) found.push(`${f}:${i + 1}: “${m[0]}” U+${m[0].codePointAt(0)!.toString(16).toUpperCase()}`);
        });
    }
    expect(found, found.join('\n')).toEqual([]);
  });

  it('would find the padlock that was there', () => {
    // the check itself: the emoji this test was written for is caught
    expect(/\p{Emoji_Presentation}|\uFE0F/u.test('<span className="lock">🔒</span>')).toBe(true);
    expect(/\p{Emoji_Presentation}|\uFE0F/u.test('← 返回 → ↑↓ ▲ 亩 ↔ 公顷')).toBe(false);
  });
});
