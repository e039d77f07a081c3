-- A site check marked approved (批准, docs/domain.md "New construction land and its farmland
-- share (占耕比)"): the approval's number (批准文号) and date, who recorded it, and the figures the
-- yearly farmland-share figure counts, copied from the check's own report when it is approved —
-- the county holding the site's largest part, the site's area, and the permanent and general
-- farmland it overlaps (ellipsoidal m², as the check measured them).
--
-- * The saved check stays as filed (migration 0003): the approval is a row of its own.
-- * One approval per check (the primary key), decided once: the database refuses UPDATE and
--   DELETE, and TRUNCATE too except by the seeder's full reset (yzt.reseed), as the stock
--   ledger's events (migration 0020).
CREATE TABLE "site_check_approval" (
	"check_id" text PRIMARY KEY NOT NULL,
	"approval_no" text NOT NULL,
	"approved_on" date NOT NULL,
	"approver_id" integer,
	"approver_name" text NOT NULL,
	"county_code" text NOT NULL,
	"site_m2" double precision NOT NULL,
	"permanent_farmland_m2" double precision NOT NULL,
	"general_farmland_m2" double precision NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "site_check_approval_no_check" CHECK (length(trim("site_check_approval"."approval_no")) > 0),
	CONSTRAINT "site_check_approval_areas_check" CHECK ("site_check_approval"."site_m2" > 0 AND "site_check_approval"."permanent_farmland_m2" >= 0 AND "site_check_approval"."general_farmland_m2" >= 0)
);--> statement-breakpoint
ALTER TABLE "site_check_approval" ADD CONSTRAINT "site_check_approval_check_id_site_check_id_fk" FOREIGN KEY ("check_id") REFERENCES "public"."site_check"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_check_approval" ADD CONSTRAINT "site_check_approval_approver_id_app_user_id_fk" FOREIGN KEY ("approver_id") REFERENCES "public"."app_user"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "site_check_approval_county_date_idx" ON "site_check_approval" USING btree ("approved_on","county_code");--> statement-breakpoint
CREATE OR REPLACE FUNCTION refuse_site_check_approval_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' AND current_setting('yzt.reseed', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION '选址套核的批准记录不可修改或删除（a site check''s approval is recorded once: % refused）', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER site_check_approval_immutable BEFORE UPDATE OR DELETE ON site_check_approval
  FOR EACH ROW EXECUTE FUNCTION refuse_site_check_approval_change();
--> statement-breakpoint
CREATE TRIGGER site_check_approval_no_truncate BEFORE TRUNCATE ON site_check_approval
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_site_check_approval_change();
