-- How many features of a layer have a bounding box touching each of the given cases, summed.
-- Index only, no GEOS call, so it cannot fail silently: overlap.sql must return exactly this
-- many rows (the embedded database answers a GEOS failure with no rows and no error).
-- The lateral subquery (OFFSET 0 keeps it one) makes the planner walk the cases and probe the
-- layer's GiST index, not the other way round over a million farmland fields.
-- {{table}} from the registry; $1 the case ids.
SELECT count(*)::int AS n
  FROM encroachment c
 CROSS JOIN LATERAL (SELECT 1 FROM {{table}} t WHERE t.geom && c.geom OFFSET 0) x
 WHERE c.id = ANY($1::int[])
