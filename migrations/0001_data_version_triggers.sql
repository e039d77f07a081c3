-- Data version: every statement that changes a layer's table bumps that layer's
-- row in data_version. Tile ETags and caches key on it. Statement-level
-- triggers, so a COPY of a million rows costs one bump, not a million.
CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO data_version AS dv (layer, version, updated_at)
  VALUES (TG_ARGV[0], 1, now())
  ON CONFLICT (layer) DO UPDATE SET version = dv.version + 1, updated_at = now();
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER admin_county_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON admin_county
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('admin-county');
--> statement-breakpoint
CREATE TRIGGER urban_boundary_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON urban_boundary
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('urban-boundary');
--> statement-breakpoint
CREATE TRIGGER permanent_farmland_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON permanent_farmland
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('permanent-farmland');
--> statement-breakpoint
CREATE TRIGGER general_farmland_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON general_farmland
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('general-farmland');
--> statement-breakpoint
CREATE TRIGGER eco_redline_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON eco_redline
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('eco-redline');
--> statement-breakpoint
CREATE TRIGGER stock_parcel_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stock_parcel
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('stock-parcel');
--> statement-breakpoint
CREATE TRIGGER encroachment_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON encroachment
  FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('encroachment');
--> statement-breakpoint
INSERT INTO data_version (layer, version) VALUES
  ('admin-county', 0), ('urban-boundary', 0), ('permanent-farmland', 0), ('general-farmland', 0),
  ('eco-redline', 0), ('stock-parcel', 0), ('encroachment', 0)
ON CONFLICT (layer) DO NOTHING;
