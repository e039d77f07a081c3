-- The county (code, name and English name) holding a point inside each staged (valid) polygon; NULL outside every county.
-- $1 row numbers. One row back per staged row.
SELECT r.row_no,
       c.code AS county_code, c.name AS county_name, NULLIF(c.name_en, '') AS county_name_en
  FROM (SELECT row_no, ST_PointOnSurface(geom) AS point FROM case_import_row WHERE row_no = ANY($1::int[])) r
  LEFT JOIN LATERAL (SELECT a.code, a.name, a.name_en FROM admin_county a
                      WHERE a.geom && r.point AND ST_Intersects(a.geom, r.point)
                      ORDER BY a.code LIMIT 1) c ON true
