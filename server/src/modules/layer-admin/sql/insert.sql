-- Writes a batch of a new version's features into the layer's table (geometry checked and,
-- where asked, repaired beforehand). Parameters: one array per column, then area_m2, then GeoJSON.
WITH ins AS (
  INSERT INTO {{table}} ({{columns}}, area_m2, geom)
  SELECT {{xColumns}}, x.area_m2, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON(x.g), 4490))
    FROM unnest({{params}}) AS x({{columns}}, area_m2, g)
  RETURNING 1
)
SELECT count(*)::int AS n FROM ins
