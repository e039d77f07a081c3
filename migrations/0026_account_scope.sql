-- An account's scope (工作范围): the administrative division it works in — the province
-- (410000), a city (e.g. 410800 焦作市) or a county-level unit (e.g. 410811) — by its official
-- 6-digit code (core/divisions.ts). Lists, statistics, exports and the yearly figures show only
-- what lies inside it. Existing accounts keep seeing everything: the province.
ALTER TABLE "app_user" ADD COLUMN IF NOT EXISTS "scope" text DEFAULT '410000' NOT NULL;--> statement-breakpoint
ALTER TABLE "app_user" ADD CONSTRAINT "app_user_scope_check" CHECK ("scope" ~ '^41[0-9]{4}$');
