-- One case with everything its page shows but the overlap features and the history.
-- $1 the case id.
SELECT e.id, e.code, e.county_code, c.name AS county_name, NULLIF(c.name_en, '') AS county_name_en, e.source, e.detected_on::text AS detected_on,
       e.status, e.area_m2, e.permanent_farmland_m2, e.general_farmland_m2, e.eco_redline_m2,
       e.stock_land_m2, e.urban_boundary_m2, e.overlaps_at, e.approval_no, e.decision_comment,
       e.decided_by, e.decided_at, e.version, e.created_at, e.import_id,
       ST_X(ST_PointOnSurface(e.geom)) AS lon, ST_Y(ST_PointOnSurface(e.geom)) AS lat,
       ST_AsGeoJSON(e.geom, 9) AS geometry
  FROM encroachment e
  LEFT JOIN admin_county c ON c.code = e.county_code
 WHERE e.id = $1
