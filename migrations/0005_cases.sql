CREATE TABLE "case_decision" (
	"id" serial PRIMARY KEY NOT NULL,
	"case_id" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	"approval_no" text,
	"comment" text,
	"case_version" integer NOT NULL,
	"changes" json NOT NULL,
	CONSTRAINT "case_decision_actor_check" CHECK (length(btrim("case_decision"."actor")) > 0)
);
--> statement-breakpoint
CREATE TABLE "case_import" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text,
	"file_name" text NOT NULL,
	"format" text NOT NULL,
	"rows" integer NOT NULL,
	"created" integer NOT NULL,
	"duplicate_share" double precision NOT NULL,
	"report" json NOT NULL
);
--> statement-breakpoint
CREATE TABLE "case_overlap" (
	"case_id" integer NOT NULL,
	"layer" text NOT NULL,
	"feature_id" integer NOT NULL,
	"feature_code" text NOT NULL,
	"overlap_m2" double precision NOT NULL,
	CONSTRAINT "case_overlap_case_id_layer_feature_id_pk" PRIMARY KEY("case_id","layer","feature_id"),
	CONSTRAINT "case_overlap_layer_check" CHECK ("case_overlap"."layer" IN ('permanent-farmland', 'general-farmland', 'eco-redline', 'urban-boundary', 'stock-parcel')),
	CONSTRAINT "case_overlap_area_check" CHECK ("case_overlap"."overlap_m2" > 0)
);
--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "approval_no" text;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "decision_comment" text;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "decided_by" text;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "decided_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "created_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "import_id" text;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "permanent_farmland_m2" double precision;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "general_farmland_m2" double precision;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "eco_redline_m2" double precision;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "stock_land_m2" double precision;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "urban_boundary_m2" double precision;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "overlaps_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "case_decision" ADD CONSTRAINT "case_decision_case_id_encroachment_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."encroachment"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_overlap" ADD CONSTRAINT "case_overlap_case_id_encroachment_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."encroachment"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_decision_case_idx" ON "case_decision" USING btree ("case_id","id");--> statement-breakpoint
ALTER TABLE "encroachment" ADD CONSTRAINT "encroachment_import_id_case_import_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."case_import"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "encroachment_detected_idx" ON "encroachment" USING btree ("detected_on");--> statement-breakpoint
CREATE INDEX "encroachment_overlaps_missing_idx" ON "encroachment" USING btree ("id") WHERE "encroachment"."overlaps_at" IS NULL;--> statement-breakpoint
ALTER TABLE "encroachment" ADD CONSTRAINT "encroachment_status_check" CHECK ("encroachment"."status" IN ('待核查', '违法占用', '合法用地', '误报', '需实地核查'));--> statement-breakpoint
ALTER TABLE "encroachment" ADD CONSTRAINT "encroachment_approval_check" CHECK ("encroachment"."status" <> '合法用地' OR "encroachment"."approval_no" IS NOT NULL);--> statement-breakpoint
ALTER TABLE "encroachment" ADD CONSTRAINT "encroachment_version_check" CHECK ("encroachment"."version" >= 1);