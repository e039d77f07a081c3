/**
 * Every word of an enumeration the seeded database holds has its English: each registry
 * attribute that names a vocabulary (core/vocabulary.ts) is checked value by value against the
 * table's column, and every county has an English name — what the English pages write in
 * place of the stored Chinese.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layers } from '../../core/layers.ts';
import { vocabularyEn } from '../../core/vocabulary.ts';
import type { Database } from '../../server/src/db/database.ts';
import { backend } from '../helpers/backend.ts';
import { openTestDatabase } from '../helpers/db.ts';

describe(`the data's words in English (${backend})`, () => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
  });
  afterAll(async () => close?.());

  it('has an English word for every value of every enumerated attribute', async () => {
    let checked = 0;
    for (const layer of layers) {
      for (const a of layer.attributes.filter((x) => x.values)) {
        const rows = await db.query<{ v: string }>(`SELECT DISTINCT ${a.name}::text AS v FROM ${layer.table} WHERE ${a.name} IS NOT NULL`);
        for (const { v } of rows) {
          expect(vocabularyEn(a.values, v), `${layer.id}.${a.name} = ${v}`).not.toBeNull();
          checked++;
        }
      }
    }
    // stock categories, statuses, stages, uses; case sources and statuses; land classes; functions; types; levels
    expect(checked).toBeGreaterThan(20);
  });

  it('gives every county an English name, in pinyin with District or County', async () => {
    const res = await db.query<{ code: string; name: string; name_en: string }>('SELECT code, name, name_en FROM admin_county ORDER BY code');
    expect(res.length).toBe(9);
    for (const c of res) expect(c.name_en, `${c.code} ${c.name}`).toMatch(/^[A-Z][a-z]+( Hui)? (District|County)$/);
    expect(Object.fromEntries(res.map((c) => [c.name, c.name_en]))).toMatchObject({ 祥符区: 'Xiangfu District', 尉氏县: 'Weishi County', 顺河回族区: 'Shunhe Hui District' });
  });
});
