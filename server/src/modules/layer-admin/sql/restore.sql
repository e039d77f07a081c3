-- Puts a slice of an archived version back in the layer's table.
-- $1 layer id, $2 version, $3–$4 the slice of archive ids (inclusive).
WITH back AS (
  INSERT INTO {{table}} ({{columns}}, area_m2, geom)
  SELECT {{rColumns}}, r.area_m2, a.geom
    FROM layer_archive a
   CROSS JOIN LATERAL jsonb_populate_record(NULL::{{table}}, a.props) r
   WHERE a.layer = $1 AND a.version_no = $2 AND a.id BETWEEN $3 AND $4
  RETURNING 1
)
SELECT count(*)::int AS n FROM back
