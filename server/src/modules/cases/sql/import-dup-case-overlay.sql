-- The overlap of each staged row with every existing case whose box touches it: one row per
-- candidate pair, the intersection as GeoJSON (NULL when it has no area); the share is computed
-- in Node from the ellipsoidal areas. {{stage}} the job's stage; $1, $2 the range of row numbers.
SELECT r.row_no, r.area_m2, x.id AS case_id, x.code AS case_code, x.area_m2 AS case_area_m2,
       CASE WHEN ST_IsEmpty(x.g) THEN NULL ELSE ST_AsGeoJSON(x.g, 15) END AS overlap
  FROM {{stage}} r
 CROSS JOIN LATERAL (
        SELECT e.id, e.code, e.area_m2, ST_CollectionExtract(ST_Intersection(e.geom, r.geom), 3) AS g
          FROM encroachment e
         WHERE e.geom && r.geom
        OFFSET 0) x
 WHERE r.staged AND r.row_no BETWEEN $1 AND $2
