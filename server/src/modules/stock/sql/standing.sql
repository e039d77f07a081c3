-- How every stock parcel stands against the control lines, in ellipsoidal m² (CGCS2000,
-- as the stored areas): the urban development boundary polygon holding most of it and the
-- share inside, and its overlap with permanent farmland, general farmland and the red line.
-- A parcel wholly covered by a boundary polygon skips the intersection (prepared ST_Covers).
-- $1 the parcels to compute (their rows must not exist yet), or NULL for every parcel.
INSERT INTO stock_standing (parcel_id, urban_boundary_id, urban_boundary_share,
                            permanent_farmland_m2, general_farmland_m2, eco_redline_m2)
SELECT s.id,
       ub.id,
       COALESCE(ub.share, 0),
       COALESCE((SELECT sum(ST_Area(ST_Intersection(f.geom, s.geom)::geography))
                   FROM permanent_farmland f WHERE f.geom && s.geom AND ST_Intersects(f.geom, s.geom)), 0),
       COALESCE((SELECT sum(ST_Area(ST_Intersection(f.geom, s.geom)::geography))
                   FROM general_farmland f WHERE f.geom && s.geom AND ST_Intersects(f.geom, s.geom)), 0),
       COALESCE((SELECT sum(ST_Area(ST_Intersection(r.geom, s.geom)::geography))
                   FROM eco_redline r WHERE r.geom && s.geom AND ST_Intersects(r.geom, s.geom)), 0)
  FROM stock_parcel s
  LEFT JOIN LATERAL (
        SELECT u.id,
               CASE WHEN ST_Covers(u.geom, s.geom) THEN 1
                    ELSE least(1, ST_Area(ST_Intersection(u.geom, s.geom)::geography) / s.area_m2) END AS share
          FROM urban_boundary u
         WHERE u.geom && s.geom AND ST_Intersects(u.geom, s.geom)
         ORDER BY share DESC, u.id
         LIMIT 1) ub ON true
 WHERE $1::int[] IS NULL OR s.id = ANY($1::int[])
