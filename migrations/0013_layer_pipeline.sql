-- The layer pipeline (docs/ARCHITECTURE.md, "Importing a layer"): durable jobs, staged uploads
-- and versions kept as whole tables.
--
-- * layer_job: one row per import or restore — its phase, progress, summary and outcome — so a
--   job survives a restart of the app and any instance can run, resume, show or cancel it.
-- * Schema layer_store: a job's staging table (stage_<job>) and every archived version of a
--   layer as a table of its own (<table>_v<N>). A new version is built there and swapped in by
--   renaming tables in one short transaction; a restore is the same swap.
-- * The layers' id sequences belong to no table any more, so dropping an archived version can
--   never drop the sequence the served table draws from (ids stay unique across versions).
-- * The stock-land derived tables no longer hold foreign keys to stock_parcel: a foreign key
--   follows the table it was made on, which after a swap is the archived version. They are
--   rebuilt from the served parcels after every change instead.
CREATE SCHEMA IF NOT EXISTS "layer_store";--> statement-breakpoint
CREATE TABLE "layer_job" (
	"id" uuid PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"layer" text NOT NULL,
	"phase" text NOT NULL,
	"done" bigint DEFAULT 0 NOT NULL,
	"total" bigint DEFAULT 0 NOT NULL,
	"input" jsonb NOT NULL,
	"summary" jsonb,
	"error" jsonb,
	"version_no" integer,
	"actor" jsonb,
	"note" text,
	"cancel_requested" boolean DEFAULT false NOT NULL,
	"worker" text,
	"heartbeat_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ready_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "layer_job_kind_check" CHECK ("layer_job"."kind" IN ('import', 'restore'))
);--> statement-breakpoint
CREATE INDEX "layer_job_open_idx" ON "layer_job" ("created_at") WHERE "finished_at" IS NULL;--> statement-breakpoint
ALTER SEQUENCE "urban_boundary_id_seq" OWNED BY NONE;--> statement-breakpoint
ALTER SEQUENCE "permanent_farmland_id_seq" OWNED BY NONE;--> statement-breakpoint
ALTER SEQUENCE "general_farmland_id_seq" OWNED BY NONE;--> statement-breakpoint
ALTER SEQUENCE "eco_redline_id_seq" OWNED BY NONE;--> statement-breakpoint
ALTER SEQUENCE "purple_line_id_seq" OWNED BY NONE;--> statement-breakpoint
ALTER SEQUENCE "stock_parcel_id_seq" OWNED BY NONE;--> statement-breakpoint
ALTER SEQUENCE "admin_county_id_seq" OWNED BY NONE;--> statement-breakpoint
ALTER TABLE "stock_adjacency" DROP CONSTRAINT IF EXISTS "stock_adjacency_a_id_stock_parcel_id_fk";--> statement-breakpoint
ALTER TABLE "stock_adjacency" DROP CONSTRAINT IF EXISTS "stock_adjacency_b_id_stock_parcel_id_fk";--> statement-breakpoint
ALTER TABLE "stock_standing" DROP CONSTRAINT IF EXISTS "stock_standing_parcel_id_stock_parcel_id_fk";
