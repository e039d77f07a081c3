-- Reads the site, says whether it is valid (and where not), and prepares the analysed geometry.
-- $1 the site as GeoJSON (EPSG:4490), $2 repair (bool), $3 buffer in metres (0 = none).
-- Validity is decided before any overlay: GEOS errors inside PGlite return no row instead of
-- failing, so an invalid site must never reach ST_Intersection.
WITH raw AS (
  SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) AS g
), checked AS (
  SELECT g, ST_IsValid(g) AS valid, ST_IsValidReason(g) AS reason,
         ST_AsGeoJSON((ST_IsValidDetail(g)).location) AS location,
         ST_Area(ST_CollectionExtract(ST_MakeValid(g), 3)) AS repairable_area
    FROM raw
), site AS (
  SELECT valid, reason, location, repairable_area,
         CASE WHEN valid THEN ST_Multi(g)
              WHEN $2::boolean THEN ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3))
         END AS g
    FROM checked
)
SELECT valid, reason, location, repairable_area,
       ST_AsGeoJSON(g, 15) AS site,
       CASE WHEN g IS NULL OR ST_IsEmpty(g) THEN NULL
            WHEN $3::float8 > 0 THEN ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(ST_Buffer(g::geography, $3::float8)::geometry, 3)), 15)
            ELSE ST_AsGeoJSON(g, 15) END AS analysed,
       CASE WHEN g IS NULL THEN NULL ELSE ST_IsValid(g) END AS repaired_valid
  FROM site
