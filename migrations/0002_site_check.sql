CREATE TABLE "site_check" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"name" text,
	"planned_use" text,
	"data_version" text NOT NULL,
	"area_m2" double precision NOT NULL,
	"content_hash" text NOT NULL,
	"report" json NOT NULL,
	"geom" geometry(MultiPolygon,4490) NOT NULL,
	CONSTRAINT "site_check_geom_valid" CHECK (ST_IsValid("site_check"."geom"))
);
--> statement-breakpoint
CREATE INDEX "site_check_created_idx" ON "site_check" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "site_check_geom_gist" ON "site_check" USING gist ("geom");