-- Derived data follows a layer's version change where the change touched it
-- (server/src/modules/layer-admin/follow.ts). stock_derived_state also records the active
-- layer version of each source it was built from, so a partial rebuild knows it started from
-- the version just replaced; case_overlap_basis records, per case and layer, the layer version
-- its overlaps were last recomputed against after a change (none: as computed on import).
ALTER TABLE "stock_derived_state" ADD COLUMN "layer_versions" json;--> statement-breakpoint
CREATE TABLE "case_overlap_basis" (
	"case_id" integer NOT NULL,
	"layer" text NOT NULL,
	"version_no" integer,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "case_overlap_basis_case_id_layer_pk" PRIMARY KEY("case_id","layer"),
	CONSTRAINT "case_overlap_basis_layer_check" CHECK ("case_overlap_basis"."layer" IN ('permanent-farmland', 'general-farmland', 'eco-redline', 'urban-boundary', 'stock-parcel'))
);
--> statement-breakpoint
ALTER TABLE "case_overlap_basis" ADD CONSTRAINT "case_overlap_basis_case_id_encroachment_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."encroachment"("id") ON DELETE cascade ON UPDATE no action;
