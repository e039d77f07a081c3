-- Repairs invalid staged polygons (ST_MakeValid, polygons kept) and answers the result:
-- whether it is a valid, non-empty polygon now, and its GeoJSON. $1 row numbers.
WITH fixed AS (
  UPDATE layer_import_row r
     SET geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(r.geom), 3))
   WHERE r.row_no = ANY($1::int[])
  RETURNING r.row_no, r.geom
)
SELECT row_no, ST_IsValid(geom) AND NOT ST_IsEmpty(geom) AS ok, ST_AsGeoJSON(geom, 9) AS geometry
  FROM fixed
