-- The overlap of each staged row with every earlier staged row whose box touches it, as
-- import-dup-case-overlay.sql does for existing cases. $1 row numbers.
SELECT r.row_no, x.row_no AS other_row,
       CASE WHEN ST_IsEmpty(x.g) THEN NULL ELSE ST_AsGeoJSON(x.g, 15) END AS overlap
  FROM case_import_row r
 CROSS JOIN LATERAL (
        SELECT o.row_no, ST_CollectionExtract(ST_Intersection(o.geom, r.geom), 3) AS g
          FROM case_import_row o
         WHERE o.geom && r.geom AND o.row_no < r.row_no
        OFFSET 0) x
 WHERE r.row_no = ANY($1::int[])
