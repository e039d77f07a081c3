-- The overlap of each given case with every feature of a layer whose box touches it: one row
-- per candidate, the intersection at full precision as GeoJSON (NULL when they only touch or do
-- not meet). The same ST_Intersection the site check's overlay.sql runs; the areas are computed
-- from this GeoJSON in Node (core/ellipsoidal-area.ts), as the site check does.
-- {{table}} from the registry; $1 the case ids.
SELECT c.id AS case_id, x.id AS feature_id, x.code AS feature_code,
       CASE WHEN ST_IsEmpty(x.g) THEN NULL ELSE ST_AsGeoJSON(x.g, 15) END AS overlap
  FROM encroachment c
 CROSS JOIN LATERAL (
        SELECT t.id, t.code, ST_CollectionExtract(ST_Intersection(t.geom, c.geom), 3) AS g
          FROM {{table}} t
         WHERE t.geom && c.geom
        OFFSET 0) x
 WHERE c.id = ANY($1::int[])
