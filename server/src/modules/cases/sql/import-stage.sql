-- Stages a batch of uploaded polygons (those that passed the checks in Node) in the import's
-- temporary table. $1 row numbers, $2 GeoJSON geometries (EPSG:4490).
INSERT INTO case_import_row (row_no, geom)
SELECT x.row_no, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(x.g), 4490))
  FROM unnest($1::int[], $2::text[]) AS x(row_no, g)
