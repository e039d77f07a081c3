-- Why each polygon GEOS found invalid is invalid, and where. {{stage}} the job's stage.
UPDATE {{stage}} SET invalid_reason = ST_IsValidReason(geom), invalid_location = ST_AsGeoJSON((ST_IsValidDetail(geom)).location)
 WHERE valid = false
