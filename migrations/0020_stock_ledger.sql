-- The stock-land ledger (台账, docs/domain.md "The stock-land ledger"): every change of a stock
-- parcel's state — supplied, disposed of, redeveloped, reserved for an enterprise, split, merged —
-- is an event in stock_event, and the parcel's row shows the state the events left it in.
--
-- * stock_parcel.recorded_on: 入库日期, the day the parcel entered the ledger (backfilled from the
--   approval date, else today; NOT NULL; an import fills it from a mapped field or its own day).
-- * stock_parcel.status gains 已盘活 (disposed of or redeveloped: no longer offered) and 已注销
--   (retired by a split or a merge: kept for its history, served nowhere).
-- * stock_event is append-only: UPDATE and DELETE are refused, and TRUNCATE too except by the
--   seeder's full reset (yzt.reseed), as case_decision's history (migration 0006).
-- * The archived versions of stock_parcel in layer_store get the same column and statuses, so a
--   restore serves a table of the served shape.
ALTER TABLE "stock_parcel" ADD COLUMN "recorded_on" date DEFAULT CURRENT_DATE NOT NULL;--> statement-breakpoint
-- only when there is something to backfill: an UPDATE of no row would still move the layer's data version
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM stock_parcel WHERE approval_date IS NOT NULL) THEN
    UPDATE stock_parcel SET recorded_on = approval_date WHERE approval_date IS NOT NULL;
  END IF;
END;
$$;--> statement-breakpoint
ALTER TABLE "stock_parcel" DROP CONSTRAINT "stock_parcel_status_check";--> statement-breakpoint
ALTER TABLE "stock_parcel" ADD CONSTRAINT "stock_parcel_status_check" CHECK ("stock_parcel"."status" IN ('可供应', '已意向', '已供应', '已盘活', '已注销'));--> statement-breakpoint
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'layer_store' AND c.relkind = 'r' AND c.relname ~ '^stock_parcel_v[0-9]+$'
  LOOP
    EXECUTE format('ALTER TABLE layer_store.%I ADD COLUMN IF NOT EXISTS recorded_on date', t.relname);
    EXECUTE format('UPDATE layer_store.%I SET recorded_on = COALESCE(approval_date, CURRENT_DATE) WHERE recorded_on IS NULL', t.relname);
    EXECUTE format('ALTER TABLE layer_store.%I ALTER COLUMN recorded_on SET DEFAULT CURRENT_DATE, ALTER COLUMN recorded_on SET NOT NULL', t.relname);
    EXECUTE format('ALTER TABLE layer_store.%I DROP CONSTRAINT IF EXISTS stock_parcel_status_check', t.relname);
    EXECUTE format($c$ALTER TABLE layer_store.%I ADD CONSTRAINT stock_parcel_status_check CHECK (status IN ('可供应', '已意向', '已供应', '已盘活', '已注销'))$c$, t.relname);
  END LOOP;
END;
$$;--> statement-breakpoint
CREATE TABLE "stock_event" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"parcel_code" text NOT NULL,
	"kind" text NOT NULL,
	"event_date" date NOT NULL,
	"doc_no" text NOT NULL,
	"actor_id" integer,
	"actor_name" text NOT NULL,
	"county_code" text NOT NULL,
	"category_before" text,
	"status_before" text,
	"category_after" text NOT NULL,
	"status_after" text NOT NULL,
	"area_m2" double precision NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stock_event_kind_check" CHECK ("stock_event"."kind" IN ('supply', 'dispose', 'redevelop', 'intent', 'intent-withdrawn', 'split', 'merge'))
);--> statement-breakpoint
ALTER TABLE "stock_event" ADD CONSTRAINT "stock_event_actor_id_app_user_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."app_user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stock_event_parcel_idx" ON "stock_event" USING btree ("parcel_code","id");--> statement-breakpoint
CREATE INDEX "stock_event_county_date_idx" ON "stock_event" USING btree ("county_code","event_date");--> statement-breakpoint
CREATE OR REPLACE FUNCTION refuse_stock_event_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' AND current_setting('yzt.reseed', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION '存量土地台账记录不可修改或删除（the stock ledger''s history is append-only: % refused）', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER stock_event_immutable BEFORE UPDATE OR DELETE ON stock_event
  FOR EACH ROW EXECUTE FUNCTION refuse_stock_event_change();
--> statement-breakpoint
CREATE TRIGGER stock_event_no_truncate BEFORE TRUNCATE ON stock_event
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_stock_event_change();
