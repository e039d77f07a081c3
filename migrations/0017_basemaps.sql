-- Base maps (server/src/modules/basemaps): the bureau's own tile services an administrator
-- added, and the base-map settings set on the admin page (the Tianditu key, attribution, 审图号).
CREATE TABLE "basemap_service" (
	"id" serial PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"url" text NOT NULL,
	"kind" text NOT NULL,
	"attribution" text DEFAULT '' NOT NULL,
	"min_zoom" integer DEFAULT 0 NOT NULL,
	"max_zoom" integer DEFAULT 18 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text,
	CONSTRAINT "basemap_service_kind_check" CHECK ("basemap_service"."kind" IN ('xyz', 'tms', 'wmts')),
	CONSTRAINT "basemap_service_zoom_check" CHECK ("basemap_service"."min_zoom" >= 0 AND "basemap_service"."min_zoom" <= "basemap_service"."max_zoom" AND "basemap_service"."max_zoom" <= 22)
);
--> statement-breakpoint
CREATE TABLE "basemap_setting" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text
);
