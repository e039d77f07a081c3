-- Stages a batch of uploaded polygons in the check's temporary table.
-- $1 row numbers, $2 GeoJSON geometries (EPSG:4490). Returns one row per staged polygon.
INSERT INTO layer_import_row (row_no, geom)
SELECT x.row_no, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(x.g), 4490))
  FROM unnest($1::int[], $2::text[]) AS x(row_no, g)
RETURNING row_no
