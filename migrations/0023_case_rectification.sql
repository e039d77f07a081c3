-- Rectification of confirmed illegal occupation (整改, docs/domain.md "Illegal occupation and its
-- rectification"): auditors record on a case confirmed illegal (违法占用) the deadline set for
-- putting it right and, once done, the day it was done; a county whose new illegal farmland
-- occupation of a year is not rectified within that year loses 200 亩 of next year's quota.
--
-- * encroachment gains the current state: rectify_deadline (整改期限), rectified_on (整改完成日期;
--   NULL: not rectified), and the latest entry's note, document number, who and when.
-- * case_rectification is the history, one row per entry, each with the state it left: it is
--   append-only — UPDATE and DELETE are refused, and TRUNCATE too except by the seeder's full
--   reset (yzt.reseed), as case_decision's history (migration 0006).
ALTER TABLE "encroachment" ADD COLUMN "rectify_deadline" date;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "rectified_on" date;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "rectify_note" text;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "rectify_doc_no" text;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "rectify_by" text;--> statement-breakpoint
ALTER TABLE "encroachment" ADD COLUMN "rectify_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "encroachment" ADD CONSTRAINT "encroachment_rectified_check" CHECK ("encroachment"."rectified_on" IS NULL OR "encroachment"."rectified_on" >= "encroachment"."detected_on");--> statement-breakpoint
ALTER TABLE "encroachment" ADD CONSTRAINT "encroachment_rectify_deadline_check" CHECK ("encroachment"."rectify_deadline" IS NULL OR "encroachment"."rectify_deadline" >= "encroachment"."detected_on");--> statement-breakpoint
CREATE TABLE "case_rectification" (
	"id" serial PRIMARY KEY NOT NULL,
	"case_id" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" integer,
	"actor" text NOT NULL,
	"deadline" date,
	"rectified" boolean NOT NULL,
	"rectified_on" date,
	"doc_no" text,
	"note" text NOT NULL,
	"changes" json NOT NULL,
	CONSTRAINT "case_rectification_actor_check" CHECK (length(btrim("case_rectification"."actor")) > 0),
	CONSTRAINT "case_rectification_note_check" CHECK (length(btrim("case_rectification"."note")) > 0),
	CONSTRAINT "case_rectification_done_check" CHECK ("case_rectification"."rectified" = ("case_rectification"."rectified_on" IS NOT NULL))
);--> statement-breakpoint
ALTER TABLE "case_rectification" ADD CONSTRAINT "case_rectification_case_id_encroachment_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."encroachment"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_rectification" ADD CONSTRAINT "case_rectification_actor_id_app_user_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."app_user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_rectification_case_idx" ON "case_rectification" USING btree ("case_id","id");--> statement-breakpoint
CREATE OR REPLACE FUNCTION refuse_case_rectification_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' AND current_setting('yzt.reseed', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION '整改记录不可修改或删除（the rectification history is append-only: % refused）', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER case_rectification_immutable BEFORE UPDATE OR DELETE ON case_rectification
  FOR EACH ROW EXECUTE FUNCTION refuse_case_rectification_change();
--> statement-breakpoint
CREATE TRIGGER case_rectification_no_truncate BEFORE TRUNCATE ON case_rectification
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_case_rectification_change();
