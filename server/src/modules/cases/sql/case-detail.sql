-- One case with everything its page shows but the overlap features and the history.
-- $1 the case id.
SELECT e.id, e.code, e.county_code, c.name AS county_name, NULLIF(c.name_en, '') AS county_name_en,
       tw.code AS township_code, tw.name AS township_name, e.source, e.detected_on::text AS detected_on,
       e.status, e.area_m2, e.permanent_farmland_m2, e.general_farmland_m2, e.eco_redline_m2,
       e.stock_land_m2, e.urban_boundary_m2, e.overlaps_at, e.approval_no, e.decision_comment,
       e.decided_by, e.decided_at, e.version, e.created_at, e.import_id,
       e.rectify_deadline::text AS rectify_deadline, e.rectified_on::text AS rectified_on, e.rectify_note,
       e.rectify_doc_no, e.rectify_by, e.rectify_at,
       ST_X(ST_PointOnSurface(e.geom)) AS lon, ST_Y(ST_PointOnSurface(e.geom)) AS lat,
       ST_AsGeoJSON(e.geom, 9) AS geometry
  FROM encroachment e
  LEFT JOIN admin_county c ON c.code = e.county_code
  -- the township holding the largest part of the case (as repo.ts's TOWNSHIP_LATERAL)
  LEFT JOIN LATERAL (
    SELECT t.code, t.name FROM admin_township t
     WHERE t.geom && e.geom AND ST_Intersects(t.geom, e.geom)
     ORDER BY CASE WHEN ST_Covers(t.geom, e.geom) THEN 'Infinity'::float8 ELSE ST_Area(ST_Intersection(t.geom, e.geom)) END DESC, t.code
     LIMIT 1) tw ON true
 WHERE e.id = $1
