-- The overlap of the site with every feature of a layer whose box touches it: one row per
-- candidate (an empty polygon when they only touch or do not meet), full precision.
-- {{table}}, {{select_columns}} from the registry; $1 the analysed site as GeoJSON.
WITH site AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) AS g)
SELECT t.id, t.code, {{select_columns}},
       ST_AsGeoJSON(ST_CollectionExtract(ST_Intersection(t.geom, site.g), 3), 15) AS overlap
  FROM {{table}} t, site
 WHERE t.geom && site.g
 ORDER BY t.id
