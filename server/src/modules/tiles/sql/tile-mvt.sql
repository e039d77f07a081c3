-- One vector tile of one layer, encoded by PostGIS (ST_AsMVT).
-- Tokens filled from the layer registry (never from a request): {{table}}; {{select_columns}},
-- the tile attributes as selected from it (dates as text); {{columns}}, their bare names;
-- {{layer}}, the MVT layer name.
-- $1 z, $2 x, $3 y, $4 feature cap (the largest features are kept).
-- The envelope plus the 64/4096 buffer is transformed to EPSG:4490 so the GiST index on geom
-- is used. ST_AsMVTGeom simplifies to half a tile unit, clips, snaps and validates.
WITH env AS (
  SELECT ST_TileEnvelope($1, $2, $3) AS e3857,
         ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4490) AS e4490
), picked AS (
  SELECT t.id, {{select_columns}}, t.geom
    FROM {{table}} t, env
   WHERE t.geom && env.e4490
   ORDER BY t.area_m2 DESC, t.id
   LIMIT $4
), mvt AS (
  SELECT p.id, {{columns}}, ST_AsMVTGeom(ST_Transform(p.geom, 3857), env.e3857, 4096, 64, true) AS geom
    FROM picked p, env
)
SELECT ST_AsMVT(mvt, '{{layer}}', 4096, 'geom', 'id') AS tile, count(*)::int AS features
  FROM mvt
 WHERE geom IS NOT NULL
