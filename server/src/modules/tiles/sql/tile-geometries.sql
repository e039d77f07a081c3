-- The features of one vector tile, prepared in SQL for encoding in Node: the embedded
-- PostGIS has neither ST_AsMVT nor ST_AsMVTGeom. Same tokens, parameters and feature
-- selection as tile-mvt.sql; the geometry steps follow ST_AsMVTGeom's:
--   drop features smaller than half a tile unit both ways; remove repeated points and
--   simplify at half a unit; clip to the tile plus the 64-unit buffer; scale to 0..4096
--   with y down; snap to integers and repair (ST_MakeValid); orient exterior
--   rings with positive area in y-down tile space, as MVT requires; drop what collapsed.
WITH env AS (
  SELECT e3857, e4490, (ST_XMax(e3857) - ST_XMin(e3857)) / 4096 / 2 AS res
    FROM (SELECT ST_TileEnvelope($1, $2, $3) AS e3857,
                 ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4490) AS e4490) b
), picked AS (
  SELECT t.id, {{select_columns}}, t.geom
    FROM {{table}} t, env
   WHERE t.geom && env.e4490
   ORDER BY t.area_m2 DESC, t.id
   LIMIT $4
), projected AS (
  SELECT p.id, {{columns}}, ST_Transform(p.geom, 3857) AS g
    FROM picked p
), simplified AS (
  SELECT q.id, {{columns}}, ST_Simplify(ST_RemoveRepeatedPoints(q.g, env.res), env.res) AS g, env.e3857 AS e
    FROM projected q, env
   WHERE NOT (ST_XMax(q.g) - ST_XMin(q.g) < env.res AND ST_YMax(q.g) - ST_YMin(q.g) < env.res)
), clipped AS (
  SELECT id, {{columns}},
         ST_ClipByBox2D(g, ST_Expand(e, (ST_XMax(e) - ST_XMin(e)) * 64.0 / 4096)) AS g, e
    FROM simplified
   WHERE g IS NOT NULL AND NOT ST_IsEmpty(g)
), tiled AS (
  SELECT id, {{columns}},
         ST_CollectionExtract(ST_MakeValid(ST_RemoveRepeatedPoints(ST_SnapToGrid(
           ST_TransScale(ST_CollectionExtract(g, 3),
                         -ST_XMin(e), -ST_YMax(e),
                         4096.0 / (ST_XMax(e) - ST_XMin(e)), -4096.0 / (ST_YMax(e) - ST_YMin(e))),
           1))), 3) AS g
    FROM clipped
   WHERE g IS NOT NULL AND NOT ST_IsEmpty(g)
)
-- y points down in tile space, so counter-clockwise in these coordinates is clockwise on screen
SELECT id, {{columns}}, ST_AsGeoJSON(ST_ForcePolygonCCW(g), 0) AS geometry
  FROM tiled
 WHERE NOT ST_IsEmpty(g) AND ST_Area(g) > 0
 ORDER BY id
