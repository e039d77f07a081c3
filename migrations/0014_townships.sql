-- 乡镇级 and 村级 administrative units (townships with 9-digit codes, villages with 12), tiling the
-- counties. The villages' township_code is derived from the code (its first nine digits). The
-- layers' data-version triggers and data_version rows come from the registry at migrate.
CREATE TABLE "admin_township" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"county_code" text NOT NULL,
	"name" text NOT NULL,
	"name_en" text,
	"area_m2" double precision NOT NULL,
	"source" text NOT NULL,
	"vintage" text NOT NULL,
	"geom" geometry(MultiPolygon,4490) NOT NULL,
	CONSTRAINT "admin_township_geom_valid" CHECK (ST_IsValid("admin_township"."geom"))
);
--> statement-breakpoint
CREATE TABLE "admin_village" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"township_code" text GENERATED ALWAYS AS (left(code, 9)) STORED NOT NULL,
	"county_code" text NOT NULL,
	"name" text NOT NULL,
	"area_m2" double precision NOT NULL,
	"source" text NOT NULL,
	"vintage" text NOT NULL,
	"geom" geometry(MultiPolygon,4490) NOT NULL,
	CONSTRAINT "admin_village_geom_valid" CHECK (ST_IsValid("admin_village"."geom"))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "admin_township_code_key" ON "admin_township" USING btree ("code");--> statement-breakpoint
CREATE INDEX "admin_township_county_idx" ON "admin_township" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "admin_township_geom_gist" ON "admin_township" USING gist ("geom");--> statement-breakpoint
CREATE UNIQUE INDEX "admin_village_code_key" ON "admin_village" USING btree ("code");--> statement-breakpoint
CREATE INDEX "admin_village_township_idx" ON "admin_village" USING btree ("township_code");--> statement-breakpoint
CREATE INDEX "admin_village_county_idx" ON "admin_village" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "admin_village_geom_gist" ON "admin_village" USING gist ("geom");--> statement-breakpoint
-- importable layers: their versions are swapped as tables (migration 0013), so the sequences belong to none
ALTER SEQUENCE "admin_township_id_seq" OWNED BY NONE;--> statement-breakpoint
ALTER SEQUENCE "admin_village_id_seq" OWNED BY NONE;
