CREATE TABLE "stock_adjacency" (
	"a_id" integer NOT NULL,
	"b_id" integer NOT NULL,
	"gap_m" double precision NOT NULL,
	CONSTRAINT "stock_adjacency_a_id_b_id_pk" PRIMARY KEY("a_id","b_id"),
	CONSTRAINT "stock_adjacency_order" CHECK ("stock_adjacency"."a_id" < "stock_adjacency"."b_id")
);
--> statement-breakpoint
CREATE TABLE "stock_derived_state" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"source_versions" json NOT NULL,
	"gap_m" double precision NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stock_standing" (
	"parcel_id" integer PRIMARY KEY NOT NULL,
	"urban_boundary_id" integer,
	"urban_boundary_share" double precision NOT NULL,
	"permanent_farmland_m2" double precision NOT NULL,
	"general_farmland_m2" double precision NOT NULL,
	"eco_redline_m2" double precision NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stock_adjacency" ADD CONSTRAINT "stock_adjacency_a_id_stock_parcel_id_fk" FOREIGN KEY ("a_id") REFERENCES "public"."stock_parcel"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_adjacency" ADD CONSTRAINT "stock_adjacency_b_id_stock_parcel_id_fk" FOREIGN KEY ("b_id") REFERENCES "public"."stock_parcel"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "stock_standing" ADD CONSTRAINT "stock_standing_parcel_id_stock_parcel_id_fk" FOREIGN KEY ("parcel_id") REFERENCES "public"."stock_parcel"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stock_adjacency_b_idx" ON "stock_adjacency" USING btree ("b_id");