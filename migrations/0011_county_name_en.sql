-- The counties' names in English (pinyin and District/County, after the official romanisation of
-- place names), for the English pages' map labels, lists and filters. A database seeded before
-- this migration gets Kaifeng's nine from their division codes (and a new admin-county data
-- version: its tiles change); a fresh one stays at version 0 and the seed takes them from
-- data/kaifeng-counties.geojson (name_en).
ALTER TABLE "admin_county" ADD COLUMN "name_en" text DEFAULT '' NOT NULL;--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM "admin_county") THEN
    UPDATE "admin_county" SET "name_en" = v.name_en
      FROM (VALUES ('410202', 'Longting District'), ('410203', 'Shunhe Hui District'), ('410204', 'Gulou District'),
                   ('410205', 'Yuwangtai District'), ('410212', 'Xiangfu District'), ('410221', 'Qi County'),
                   ('410222', 'Tongxu County'), ('410223', 'Weishi County'), ('410225', 'Lankao County')) AS v(code, name_en)
     WHERE "admin_county"."code" = v.code;
  END IF;
END $$;
