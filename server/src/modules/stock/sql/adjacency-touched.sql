-- adjacency.sql for the pairs with at least one side among the given parcels (their old
-- pairs deleted first): the same test, the same boundary-polygon join and the distance taken
-- with the lower id first, as adjacency.sql takes it, so the rows equal a full rebuild's.
-- $1 the gap in metres, $2 the same in degrees of longitude (index probe), $3 the parcel ids.
INSERT INTO stock_adjacency (a_id, b_id, gap_m)
SELECT lo.id, hi.id, ST_Distance(lo.geom::geography, hi.geom::geography)
  FROM (SELECT DISTINCT least(a.id, n.id) AS lo_id, greatest(a.id, n.id) AS hi_id
          FROM stock_parcel a
          JOIN stock_standing sa ON sa.parcel_id = a.id AND sa.urban_boundary_id IS NOT NULL
         CROSS JOIN LATERAL (
               SELECT b.id
                 FROM stock_parcel b
                WHERE b.geom && ST_Expand(a.geom, $2::float8) AND b.id <> a.id
                  AND ST_DWithin(a.geom::geography, b.geom::geography, $1::float8)
               OFFSET 0) n
          JOIN stock_standing sb ON sb.parcel_id = n.id AND sb.urban_boundary_id = sa.urban_boundary_id
         WHERE a.id = ANY($3::int[])) p
  JOIN stock_parcel lo ON lo.id = p.lo_id
  JOIN stock_parcel hi ON hi.id = p.hi_id
 WHERE ST_DWithin(lo.geom::geography, hi.geom::geography, $1::float8)
