CREATE TABLE "admin_county" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"level" text NOT NULL,
	"area_m2" double precision NOT NULL,
	"source" text NOT NULL,
	"geom" geometry(MultiPolygon,4490) NOT NULL,
	CONSTRAINT "admin_county_geom_valid" CHECK (ST_IsValid("admin_county"."geom"))
);
--> statement-breakpoint
CREATE TABLE "data_version" (
	"layer" text PRIMARY KEY NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "eco_redline" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"county_code" text NOT NULL,
	"name" text NOT NULL,
	"category" text NOT NULL,
	"area_m2" double precision NOT NULL,
	"source" text NOT NULL,
	"vintage" text NOT NULL,
	"geom" geometry(MultiPolygon,4490) NOT NULL,
	CONSTRAINT "eco_redline_geom_valid" CHECK (ST_IsValid("eco_redline"."geom"))
);
--> statement-breakpoint
CREATE TABLE "encroachment" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"county_code" text NOT NULL,
	"source" text NOT NULL,
	"detected_on" date NOT NULL,
	"status" text DEFAULT '待核查' NOT NULL,
	"area_m2" double precision NOT NULL,
	"geom" geometry(MultiPolygon,4490) NOT NULL,
	CONSTRAINT "encroachment_source_check" CHECK ("encroachment"."source" IN ('卫片', '巡查', '举报')),
	CONSTRAINT "encroachment_geom_valid" CHECK (ST_IsValid("encroachment"."geom"))
);
--> statement-breakpoint
CREATE TABLE "general_farmland" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"county_code" text NOT NULL,
	"land_class_code" text NOT NULL,
	"land_class_name" text NOT NULL,
	"quality_grade" smallint,
	"area_m2" double precision NOT NULL,
	"source" text NOT NULL,
	"vintage" text NOT NULL,
	"geom" geometry(MultiPolygon,4490) NOT NULL,
	CONSTRAINT "general_farmland_geom_valid" CHECK (ST_IsValid("general_farmland"."geom"))
);
--> statement-breakpoint
CREATE TABLE "permanent_farmland" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"county_code" text NOT NULL,
	"land_class_code" text NOT NULL,
	"land_class_name" text NOT NULL,
	"quality_grade" smallint,
	"area_m2" double precision NOT NULL,
	"source" text NOT NULL,
	"vintage" text NOT NULL,
	"geom" geometry(MultiPolygon,4490) NOT NULL,
	CONSTRAINT "permanent_farmland_geom_valid" CHECK (ST_IsValid("permanent_farmland"."geom"))
);
--> statement-breakpoint
CREATE TABLE "seed_info" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"scale" text NOT NULL,
	"seed" integer NOT NULL,
	"checksum" text NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stock_parcel" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"county_code" text NOT NULL,
	"name" text NOT NULL,
	"category" text NOT NULL,
	"four_un_stage" text,
	"planned_use" text NOT NULL,
	"area_m2" double precision NOT NULL,
	"plot_ratio_min" double precision,
	"plot_ratio_max" double precision,
	"approval_no" text,
	"approval_date" date,
	"status" text NOT NULL,
	"ref_price" double precision,
	"zone_name" text,
	"contact_dept" text NOT NULL,
	"geom" geometry(MultiPolygon,4490) NOT NULL,
	CONSTRAINT "stock_parcel_category_check" CHECK ("stock_parcel"."category" IN ('批而未供', '闲置土地', '低效用地')),
	CONSTRAINT "stock_parcel_stage_check" CHECK ("stock_parcel"."four_un_stage" IS NULL OR "stock_parcel"."four_un_stage" IN ('批而未征', '征而未供', '供而未用', '用而未尽')),
	CONSTRAINT "stock_parcel_status_check" CHECK ("stock_parcel"."status" IN ('可供应', '已意向', '已供应')),
	CONSTRAINT "stock_parcel_area_check" CHECK ("stock_parcel"."area_m2" > 0),
	CONSTRAINT "stock_parcel_geom_valid" CHECK (ST_IsValid("stock_parcel"."geom"))
);
--> statement-breakpoint
CREATE TABLE "urban_boundary" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"county_code" text NOT NULL,
	"name" text NOT NULL,
	"area_m2" double precision NOT NULL,
	"source" text NOT NULL,
	"vintage" text NOT NULL,
	"geom" geometry(MultiPolygon,4490) NOT NULL,
	CONSTRAINT "urban_boundary_geom_valid" CHECK (ST_IsValid("urban_boundary"."geom"))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "admin_county_code_key" ON "admin_county" USING btree ("code");--> statement-breakpoint
CREATE INDEX "admin_county_geom_gist" ON "admin_county" USING gist ("geom");--> statement-breakpoint
CREATE UNIQUE INDEX "eco_redline_code_key" ON "eco_redline" USING btree ("code");--> statement-breakpoint
CREATE INDEX "eco_redline_county_idx" ON "eco_redline" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "eco_redline_geom_gist" ON "eco_redline" USING gist ("geom");--> statement-breakpoint
CREATE UNIQUE INDEX "encroachment_code_key" ON "encroachment" USING btree ("code");--> statement-breakpoint
CREATE INDEX "encroachment_county_idx" ON "encroachment" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "encroachment_status_idx" ON "encroachment" USING btree ("status");--> statement-breakpoint
CREATE INDEX "encroachment_geom_gist" ON "encroachment" USING gist ("geom");--> statement-breakpoint
CREATE UNIQUE INDEX "general_farmland_code_key" ON "general_farmland" USING btree ("code");--> statement-breakpoint
CREATE INDEX "general_farmland_county_idx" ON "general_farmland" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "general_farmland_geom_gist" ON "general_farmland" USING gist ("geom");--> statement-breakpoint
CREATE UNIQUE INDEX "permanent_farmland_code_key" ON "permanent_farmland" USING btree ("code");--> statement-breakpoint
CREATE INDEX "permanent_farmland_county_idx" ON "permanent_farmland" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "permanent_farmland_geom_gist" ON "permanent_farmland" USING gist ("geom");--> statement-breakpoint
CREATE UNIQUE INDEX "stock_parcel_code_key" ON "stock_parcel" USING btree ("code");--> statement-breakpoint
CREATE INDEX "stock_parcel_county_idx" ON "stock_parcel" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "stock_parcel_status_use_idx" ON "stock_parcel" USING btree ("status","planned_use");--> statement-breakpoint
CREATE INDEX "stock_parcel_geom_gist" ON "stock_parcel" USING gist ("geom");--> statement-breakpoint
CREATE UNIQUE INDEX "urban_boundary_code_key" ON "urban_boundary" USING btree ("code");--> statement-breakpoint
CREATE INDEX "urban_boundary_county_idx" ON "urban_boundary" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "urban_boundary_geom_gist" ON "urban_boundary" USING gist ("geom");