-- Whether each staged polygon is valid for GEOS, and why not — decided before any overlay, since
-- a GEOS error inside the embedded database returns no row instead of failing (the caller counts
-- the rows left without an answer). {{stage}} the job's stage.
UPDATE {{stage}} SET valid = ST_IsValid(geom) WHERE geom IS NOT NULL
