-- How many features of a layer have a bounding box touching the site. Uses the GiST index and
-- no GEOS call, so it cannot fail silently: the overlay must return exactly this many rows.
-- {{table}} from the registry; $1 the analysed site as GeoJSON.
SELECT count(*)::int AS n
  FROM {{table}} t
 WHERE t.geom && ST_SetSRID(ST_GeomFromGeoJSON($1), 4490)
