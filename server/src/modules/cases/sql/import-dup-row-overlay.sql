-- The overlap of each staged row with every earlier staged row whose box touches it, as
-- import-dup-case-overlay.sql does for existing cases. {{stage}} the job's stage; $1, $2 the
-- range of row numbers.
SELECT r.row_no, r.area_m2, x.row_no AS other_row, x.area_m2 AS other_area_m2,
       CASE WHEN ST_IsEmpty(x.g) THEN NULL ELSE ST_AsGeoJSON(x.g, 15) END AS overlap
  FROM {{stage}} r
 CROSS JOIN LATERAL (
        SELECT o.row_no, o.area_m2, ST_CollectionExtract(ST_Intersection(o.geom, r.geom), 3) AS g
          FROM {{stage}} o
         WHERE o.geom && r.geom AND o.staged AND o.row_no < r.row_no
        OFFSET 0) x
 WHERE r.staged AND r.row_no BETWEEN $1 AND $2
