CREATE TABLE "layer_archive" (
	"id" serial PRIMARY KEY NOT NULL,
	"layer" text NOT NULL,
	"version_no" integer NOT NULL,
	"props" jsonb NOT NULL,
	"geom" geometry(MultiPolygon,4490) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "layer_version" (
	"id" serial PRIMARY KEY NOT NULL,
	"layer" text NOT NULL,
	"version_no" integer NOT NULL,
	"state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" integer,
	"created_by_name" text,
	"file_name" text,
	"format" text,
	"crs" text,
	"feature_count" integer NOT NULL,
	"area_m2" double precision NOT NULL,
	"bbox" json,
	"note" text,
	"activated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_by" integer,
	CONSTRAINT "layer_version_state_check" CHECK ("layer_version"."state" IN ('active', 'archived'))
);
--> statement-breakpoint
CREATE TABLE "saved_search" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"name" text NOT NULL,
	"query" json NOT NULL,
	"seen_codes" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_visited_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "site_check" ADD COLUMN "owner_id" integer;--> statement-breakpoint
ALTER TABLE "layer_version" ADD CONSTRAINT "layer_version_created_by_app_user_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."app_user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "layer_version" ADD CONSTRAINT "layer_version_activated_by_app_user_id_fk" FOREIGN KEY ("activated_by") REFERENCES "public"."app_user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saved_search" ADD CONSTRAINT "saved_search_user_id_app_user_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."app_user"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "layer_archive_version_idx" ON "layer_archive" USING btree ("layer","version_no");--> statement-breakpoint
CREATE UNIQUE INDEX "layer_version_no_key" ON "layer_version" USING btree ("layer","version_no");--> statement-breakpoint
CREATE UNIQUE INDEX "layer_version_active_key" ON "layer_version" USING btree ("layer") WHERE "layer_version"."state" = 'active';--> statement-breakpoint
CREATE INDEX "saved_search_user_idx" ON "saved_search" USING btree ("user_id","created_at");--> statement-breakpoint
ALTER TABLE "site_check" ADD CONSTRAINT "site_check_owner_id_app_user_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."app_user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "site_check_owner_idx" ON "site_check" USING btree ("owner_id","created_at");