-- The demo's offline base map (seeds/lib/basemap.ts): water, waterways, roads, built-up areas and
-- place names in one table of any geometry type, written by the seed loader and served as the
-- `basemap` vector tiles. Versioned like a layer: its own data_version row and statement trigger
-- (bump_data_version, migration 0001), so the tiles' ETags and caches follow a reload.
CREATE TABLE "basemap_feature" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"class" text NOT NULL,
	"name" text,
	"name_en" text,
	"min_zoom" smallint NOT NULL,
	"rank" smallint NOT NULL,
	"geom" geometry(Geometry,4490) NOT NULL,
	CONSTRAINT "basemap_feature_geom_valid" CHECK (ST_IsValid("basemap_feature"."geom")),
	CONSTRAINT "basemap_feature_kind_check" CHECK ("basemap_feature"."kind" IN ('water', 'waterway', 'road', 'builtup', 'place'))
);
--> statement-breakpoint
CREATE INDEX "basemap_feature_geom_gist" ON "basemap_feature" USING gist ("geom");--> statement-breakpoint
CREATE TRIGGER basemap_feature_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON basemap_feature
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('basemap');--> statement-breakpoint
INSERT INTO data_version (layer, version) VALUES ('basemap', 0) ON CONFLICT (layer) DO NOTHING;
