-- The site minus the union of the given layers' features that meet it: the part of the site
-- outside the urban development boundary, or the site trimmed of farmland and red line.
-- {{cut}} is a UNION ALL of "SELECT geom FROM <table>" built from the registry.
-- $1 the analysed site as GeoJSON. Always one row; "rest" is NULL only if GEOS failed.
WITH site AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4490) AS g),
cut AS (
  SELECT ST_Union(c.geom) AS g
    FROM ({{cut}}) c, site
   WHERE c.geom && site.g AND ST_Intersects(c.geom, site.g)
)
SELECT ST_AsGeoJSON(ST_CollectionExtract(CASE WHEN cut.g IS NULL THEN site.g ELSE ST_Difference(site.g, cut.g) END, 3), 15) AS rest,
       (cut.g IS NULL) AS nothing_cut
  FROM site, cut
