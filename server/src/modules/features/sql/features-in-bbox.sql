-- Features of one layer intersecting a lon/lat box, as GeoJSON (7 decimals ≈ 1 cm).
-- {{table}}, {{select_columns}} from the registry; $1..$4 the box, $5 the cap + 1
-- (one more than asked, to tell whether the answer was truncated).
WITH box AS (SELECT ST_MakeEnvelope($1, $2, $3, $4, 4490) AS b)
SELECT t.id, {{select_columns}}, ST_AsGeoJSON(t.geom, 7) AS geometry
  FROM {{table}} t, box
 WHERE t.geom && box.b AND ST_Intersects(t.geom, box.b)
 ORDER BY t.id
 LIMIT $5
