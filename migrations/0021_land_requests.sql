-- Enterprise land requests (企业找地, docs/domain.md "Enterprise land requests"): an enterprise
-- files what land it needs; the matcher proposes parcels at once and later lists those that are
-- new since the enterprise last looked; bureau staff propose a parcel; the enterprise accepts
-- (the parcel becomes 已意向 by a stock_event of kind intent) or declines with a reason.
--
-- * land_request: the need, its contact, and the state: open → matched (a proposal accepted) or
--   withdrawn (by the enterprise). seen_codes: the parcel codes among the matches when the
--   enterprise last looked (the "new matches" are the others).
-- * land_request_proposal: a parcel proposed to a request, decided once (accepted or declined,
--   a decline with its reason). Database-enforced: a proposal is never deleted, and a decided
--   one never changes; an undecided one may only be decided.
CREATE TABLE "land_request" (
	"id" serial PRIMARY KEY NOT NULL,
	"owner_id" integer NOT NULL,
	"company" text NOT NULL,
	"planned_use" text NOT NULL,
	"area_min_mu" double precision NOT NULL,
	"area_max_mu" double precision NOT NULL,
	"county_code" text,
	"near_lon" double precision,
	"near_lat" double precision,
	"radius_km" double precision,
	"plot_ratio_min" double precision,
	"plot_ratio_max" double precision,
	"budget_wan" double precision,
	"needed_by" date,
	"contact_name" text NOT NULL,
	"contact_phone" text NOT NULL,
	"note" text,
	"status" text DEFAULT 'open' NOT NULL,
	"seen_codes" text[] DEFAULT '{}' NOT NULL,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_reason" text,
	CONSTRAINT "land_request_status_check" CHECK ("land_request"."status" IN ('open', 'matched', 'withdrawn')),
	CONSTRAINT "land_request_area_check" CHECK ("land_request"."area_min_mu" > 0 AND "land_request"."area_min_mu" <= "land_request"."area_max_mu"),
	CONSTRAINT "land_request_near_check" CHECK (("land_request"."near_lon" IS NULL) = ("land_request"."near_lat" IS NULL) AND ("land_request"."radius_km" IS NULL OR "land_request"."near_lon" IS NOT NULL))
);--> statement-breakpoint
ALTER TABLE "land_request" ADD CONSTRAINT "land_request_owner_id_app_user_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."app_user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "land_request_owner_idx" ON "land_request" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE INDEX "land_request_status_idx" ON "land_request" USING btree ("status","created_at");--> statement-breakpoint
CREATE TABLE "land_request_proposal" (
	"id" serial PRIMARY KEY NOT NULL,
	"request_id" integer NOT NULL,
	"parcel_code" text NOT NULL,
	"proposed_by" integer,
	"proposer_name" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decision" text,
	"decided_at" timestamp with time zone,
	"decline_reason" text,
	CONSTRAINT "land_request_proposal_decision_check" CHECK ("land_request_proposal"."decision" IS NULL OR "land_request_proposal"."decision" IN ('accepted', 'declined')),
	CONSTRAINT "land_request_proposal_decided_check" CHECK (("land_request_proposal"."decision" IS NULL) = ("land_request_proposal"."decided_at" IS NULL)),
	CONSTRAINT "land_request_proposal_reason_check" CHECK ("land_request_proposal"."decision" IS DISTINCT FROM 'declined' OR length(trim("land_request_proposal"."decline_reason")) > 0)
);--> statement-breakpoint
ALTER TABLE "land_request_proposal" ADD CONSTRAINT "land_request_proposal_request_id_land_request_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."land_request"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "land_request_proposal" ADD CONSTRAINT "land_request_proposal_proposed_by_app_user_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."app_user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "land_request_proposal_request_idx" ON "land_request_proposal" USING btree ("request_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "land_request_proposal_pending_key" ON "land_request_proposal" USING btree ("request_id","parcel_code") WHERE "land_request_proposal"."decision" IS NULL;--> statement-breakpoint
CREATE OR REPLACE FUNCTION guard_land_request_proposal() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' AND current_setting('yzt.reseed', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.decision IS NULL AND NEW.decision IS NOT NULL
     AND NEW.id = OLD.id AND NEW.request_id = OLD.request_id AND NEW.parcel_code = OLD.parcel_code
     AND NEW.proposed_by IS NOT DISTINCT FROM OLD.proposed_by AND NEW.proposer_name = OLD.proposer_name
     AND NEW.note IS NOT DISTINCT FROM OLD.note AND NEW.created_at = OLD.created_at THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '找地提议一经作出不可删除，答复后不可修改（a land request''s proposals are kept as made and decided once: % refused）', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER land_request_proposal_guard BEFORE UPDATE OR DELETE ON land_request_proposal
  FOR EACH ROW EXECUTE FUNCTION guard_land_request_proposal();
--> statement-breakpoint
CREATE TRIGGER land_request_proposal_no_truncate BEFORE TRUNCATE ON land_request_proposal
  FOR EACH STATEMENT EXECUTE FUNCTION guard_land_request_proposal();
