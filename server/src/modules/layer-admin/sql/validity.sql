-- Whether each staged polygon is valid for GEOS, and why not (with where), decided before any
-- other operation: a GEOS error inside the embedded database returns no row instead of failing.
-- $1 row numbers. One row back per staged row.
SELECT r.row_no, ST_IsValid(r.geom) AS valid,
       CASE WHEN ST_IsValid(r.geom) THEN NULL ELSE ST_IsValidReason(r.geom) END AS reason,
       CASE WHEN ST_IsValid(r.geom) THEN NULL ELSE ST_AsGeoJSON((ST_IsValidDetail(r.geom)).location) END AS location
  FROM layer_import_row r
 WHERE r.row_no = ANY($1::int[])
