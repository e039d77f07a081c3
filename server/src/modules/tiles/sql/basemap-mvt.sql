-- One tile of the offline base map (basemap_feature: points, lines and polygons), encoded by
-- PostGIS (ST_AsMVT) as the MVT layer 'basemap'. $1 z, $2 x, $3 y, $4 feature cap.
-- A feature is in the tiles from its min_zoom on; the most important (rank 1 first) are kept.
WITH env AS (
  SELECT ST_TileEnvelope($1, $2, $3) AS e3857,
         ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4490) AS e4490
), picked AS (
  SELECT t.id, t.kind, t.class, t.name, t.name_en, t.rank, t.geom
    FROM basemap_feature t, env
   WHERE t.geom && env.e4490 AND t.min_zoom <= $1
   ORDER BY t.rank, t.id
   LIMIT $4
), mvt AS (
  SELECT p.id, p.kind, p.class, p.name, p.name_en, p.rank::int AS rank,
         ST_AsMVTGeom(ST_Transform(p.geom, 3857), env.e3857, 4096, 64, true) AS geom
    FROM picked p, env
)
SELECT ST_AsMVT(mvt, 'basemap', 4096, 'geom', 'id') AS tile, count(*)::int AS features
  FROM mvt
 WHERE geom IS NOT NULL
