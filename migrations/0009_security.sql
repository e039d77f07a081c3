CREATE TABLE "sign_in_attempt" (
	"name_key" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "site_check_usage" (
	"subject" text NOT NULL,
	"day" date NOT NULL,
	"checks" integer DEFAULT 0 NOT NULL,
	"area_m2" double precision DEFAULT 0 NOT NULL,
	CONSTRAINT "site_check_usage_subject_day_pk" PRIMARY KEY("subject","day")
);
--> statement-breakpoint
ALTER TABLE "site_check" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "site_check_expires_idx" ON "site_check" USING btree ("expires_at") WHERE "site_check"."expires_at" IS NOT NULL;--> statement-breakpoint
-- Filed reports stay immutable; a public check (expires_at set) may only be deleted once it has lapsed.
CREATE OR REPLACE FUNCTION refuse_site_check_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.expires_at IS NOT NULL AND OLD.expires_at <= now() THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '选址套核报告不可修改或删除（site-check reports are immutable）'
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
