-- The county holding a point inside each staged (valid) polygon; NULL outside every county.
-- $1 row numbers. One row back per staged row.
SELECT r.row_no,
       (SELECT a.code FROM admin_county a
         WHERE a.geom && r.point AND ST_Intersects(a.geom, r.point)
         ORDER BY a.code LIMIT 1) AS county_code
  FROM (SELECT row_no, ST_PointOnSurface(geom) AS point FROM layer_import_row WHERE row_no = ANY($1::int[])) r
