-- Rebuilds an archived version's table from its rows in layer_archive (versions archived before
-- migration 0013 kept every column but id and geom as JSON). $1 layer id, $2 version.
WITH back AS (
  INSERT INTO {{table}} ({{columns}}, area_m2, geom)
  SELECT {{rColumns}}, r.area_m2, a.geom
    FROM layer_archive a
   CROSS JOIN LATERAL jsonb_populate_record(NULL::{{rowType}}, a.props) r
   WHERE a.layer = $1 AND a.version_no = $2
   ORDER BY a.id
  RETURNING 1
)
SELECT count(*)::int AS n FROM back
