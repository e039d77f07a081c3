-- Features of one layer within a box around a clicked point, nearest first: those holding the
-- point (distance 0), then by distance, then the smaller first (a parcel before the county).
-- {{table}}, {{select_columns}}, {{county_join}}, {{county_columns}} from the registry;
-- $1, $2 the point; $3..$6 the tolerance box; $7 the cap + 1.
WITH q AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4490) AS pt, ST_MakeEnvelope($3, $4, $5, $6, 4490) AS box)
SELECT t.id, {{select_columns}}, {{county_columns}},
       ST_Distance(t.geom::geography, q.pt::geography) AS distance_m,
       ST_XMin(t.geom) AS xmin, ST_YMin(t.geom) AS ymin, ST_XMax(t.geom) AS xmax, ST_YMax(t.geom) AS ymax
  FROM {{table}} t CROSS JOIN q {{county_join}}
 WHERE t.geom && q.box AND ST_Intersects(t.geom, q.box)
 ORDER BY ST_Distance(t.geom, q.pt), t.area_m2, t.id
 LIMIT $7
