-- Each given case's overlap summary from its case_overlap rows (zero where it has none),
-- stamped with the time. One row back per case updated: fewer means something went wrong.
-- $1 the case ids.
UPDATE encroachment e
   SET permanent_farmland_m2 = s.permanent_m2,
       general_farmland_m2 = s.general_m2,
       eco_redline_m2 = s.redline_m2,
       stock_land_m2 = s.stock_m2,
       urban_boundary_m2 = s.boundary_m2,
       overlaps_at = now()
  FROM (SELECT c.id,
               coalesce(sum(o.overlap_m2) FILTER (WHERE o.layer = 'permanent-farmland'), 0) AS permanent_m2,
               coalesce(sum(o.overlap_m2) FILTER (WHERE o.layer = 'general-farmland'), 0) AS general_m2,
               coalesce(sum(o.overlap_m2) FILTER (WHERE o.layer = 'eco-redline'), 0) AS redline_m2,
               coalesce(sum(o.overlap_m2) FILTER (WHERE o.layer = 'stock-parcel'), 0) AS stock_m2,
               coalesce(sum(o.overlap_m2) FILTER (WHERE o.layer = 'urban-boundary'), 0) AS boundary_m2
          FROM unnest($1::int[]) AS c(id)
          LEFT JOIN case_overlap o ON o.case_id = c.id
         GROUP BY c.id) s
 WHERE e.id = s.id
RETURNING e.id
