-- The yearly revitalisation rate (server/src/modules/figures/revitalisation.ts) counts the stock on
-- 1 January from every parcel in the ledger before that day and looks up the parcels changed since
-- by code: an index of what it reads (code, the day the parcel entered the ledger, its county,
-- category, state and area) lets it read the index alone, not the table's rows with their geometry.
CREATE INDEX IF NOT EXISTS "stock_parcel_ledger_idx" ON "stock_parcel" USING btree ("code") INCLUDE ("recorded_on", "county_code", "category", "status", "area_m2");
