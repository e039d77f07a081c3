-- Pairs of stock parcels that could be supplied together (宗地组合供应): within $1 metres
-- of each other (touching, or across a road) and in the same urban development boundary
-- polygon. $2 is $1 in degrees of longitude, with margin, for the index probe. The LATERAL
-- with OFFSET 0 keeps the plan a GiST probe per parcel (joined on the boundary id alone,
-- the planner would pair every two parcels of a boundary polygon).
INSERT INTO stock_adjacency (a_id, b_id, gap_m)
SELECT a.id, n.id, n.gap_m
  FROM stock_parcel a
  JOIN stock_standing sa ON sa.parcel_id = a.id AND sa.urban_boundary_id IS NOT NULL
 CROSS JOIN LATERAL (
       SELECT b.id, ST_Distance(a.geom::geography, b.geom::geography) AS gap_m
         FROM stock_parcel b
        WHERE b.geom && ST_Expand(a.geom, $2::float8) AND b.id > a.id
          AND ST_DWithin(a.geom::geography, b.geom::geography, $1::float8)
       OFFSET 0) n
  JOIN stock_standing sb ON sb.parcel_id = n.id AND sb.urban_boundary_id = sa.urban_boundary_id
