CREATE TABLE "purple_line" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"county_code" text NOT NULL,
	"name" text NOT NULL,
	"category" text NOT NULL,
	"area_m2" double precision NOT NULL,
	"source" text NOT NULL,
	"vintage" text NOT NULL,
	"geom" geometry(MultiPolygon,4490) NOT NULL,
	CONSTRAINT "purple_line_geom_valid" CHECK (ST_IsValid("purple_line"."geom"))
);
--> statement-breakpoint
ALTER TABLE "case_overlap" DROP CONSTRAINT "case_overlap_layer_check";--> statement-breakpoint
CREATE UNIQUE INDEX "purple_line_code_key" ON "purple_line" USING btree ("code");--> statement-breakpoint
CREATE INDEX "purple_line_county_idx" ON "purple_line" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "purple_line_geom_gist" ON "purple_line" USING gist ("geom");--> statement-breakpoint
ALTER TABLE "case_overlap" ADD CONSTRAINT "case_overlap_layer_check" CHECK ("case_overlap"."layer" IN ('urban-boundary', 'permanent-farmland', 'eco-redline', 'general-farmland', 'stock-parcel'));