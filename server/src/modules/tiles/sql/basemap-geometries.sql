-- The features of one base-map tile, prepared in SQL for encoding in Node (the embedded
-- PostGIS has no ST_AsMVT): the same selection as basemap-mvt.sql and, per geometry type, what
-- ST_AsMVTGeom does — polygons and lines: drop what is under half a tile unit both ways, remove
-- repeated points and simplify at half a unit, clip to the tile plus the 64-unit buffer;
-- points: keep those inside the buffered tile; then scale to 0..4096 with y down and snap to
-- integers; polygons repaired and oriented as tile-geometries.sql does, lines that collapsed
-- to a point dropped.
WITH env AS (
  SELECT e3857, e4490, (ST_XMax(e3857) - ST_XMin(e3857)) / 4096 / 2 AS res,
         ST_Expand(e3857, (ST_XMax(e3857) - ST_XMin(e3857)) * 64.0 / 4096) AS box
    FROM (SELECT ST_TileEnvelope($1, $2, $3) AS e3857,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4490) AS e4490) b
), picked AS (
  SELECT t.id, t.kind, t.class, t.name, t.name_en, t.rank::int AS rank, ST_Dimension(t.geom) AS dim,
         ST_Transform(t.geom, 3857) AS g
    FROM basemap_feature t, env
   WHERE t.geom && env.e4490 AND t.min_zoom <= $1
   ORDER BY t.rank, t.id
   LIMIT $4
), simplified AS (
  SELECT p.id, p.kind, p.class, p.name, p.name_en, p.rank, p.dim, env.e3857 AS e, env.box,
         CASE WHEN p.dim = 0 THEN p.g ELSE ST_Simplify(ST_RemoveRepeatedPoints(p.g, env.res), env.res) END AS g
    FROM picked p, env
   WHERE p.dim = 0 OR NOT (ST_XMax(p.g) - ST_XMin(p.g) < env.res AND ST_YMax(p.g) - ST_YMin(p.g) < env.res)
), clipped AS (
  SELECT id, kind, class, name, name_en, rank, dim, e,
         CASE WHEN dim = 0 THEN (CASE WHEN ST_Intersects(g, box) THEN g END) ELSE ST_ClipByBox2D(g, box) END AS g
    FROM simplified
   WHERE g IS NOT NULL AND NOT ST_IsEmpty(g)
), tiled AS (
  SELECT id, kind, class, name, name_en, rank, dim,
         ST_RemoveRepeatedPoints(ST_SnapToGrid(
           ST_TransScale(g, -ST_XMin(e), -ST_YMax(e),
                         4096.0 / (ST_XMax(e) - ST_XMin(e)), -4096.0 / (ST_YMax(e) - ST_YMin(e))),
           1)) AS g
    FROM clipped
   WHERE g IS NOT NULL AND NOT ST_IsEmpty(g)
), typed AS (
  SELECT id, kind, class, name, name_en, rank, dim,
         CASE dim WHEN 2 THEN ST_ForcePolygonCCW(ST_CollectionExtract(ST_MakeValid(ST_CollectionExtract(g, 3)), 3))
                  WHEN 1 THEN ST_CollectionExtract(g, 2)
                  ELSE g END AS g
    FROM tiled
   WHERE g IS NOT NULL
)
SELECT id, kind, class, name, name_en, rank, ST_AsGeoJSON(g, 0) AS geometry
  FROM typed
 WHERE NOT ST_IsEmpty(g) AND (dim <> 2 OR ST_Area(g) > 0) AND (dim <> 1 OR ST_Length(g) > 0)
 ORDER BY id
