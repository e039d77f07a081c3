-- Imagery layers (影像): the bureau's orthophotos, one row per registered GeoTIFF / COG and
-- period, rendered as Web Mercator tiles from the file (server/src/modules/imagery). The file
-- stays on disk under IMAGERY_DIR; this row holds what registration read of it.
CREATE TABLE "imagery_layer" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"name_en" text NOT NULL,
	"period_label" text NOT NULL,
	"period_date" date NOT NULL,
	"access" text NOT NULL,
	"file_path" text NOT NULL,
	"file_name" text NOT NULL,
	"source" text NOT NULL,
	"file_bytes" bigint NOT NULL,
	"epsg" integer NOT NULL,
	"crs_name" text NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"bands" integer NOT NULL,
	"levels" integer NOT NULL,
	"pixel_size_m" double precision NOT NULL,
	"west" double precision NOT NULL,
	"south" double precision NOT NULL,
	"east" double precision NOT NULL,
	"north" double precision NOT NULL,
	"demo" boolean DEFAULT false NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "imagery_layer_access_check" CHECK ("imagery_layer"."access" IN ('public', 'restricted')),
	CONSTRAINT "imagery_layer_source_check" CHECK ("imagery_layer"."source" IN ('upload', 'path', 'demo'))
);
--> statement-breakpoint
CREATE INDEX "imagery_layer_period_idx" ON "imagery_layer" USING btree ("period_date","id");
