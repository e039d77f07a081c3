-- The features a case overlaps, with a name for each (NULL when the feature is gone since),
-- in layer order, largest overlap first. $1 the case id.
SELECT o.layer, o.feature_id, o.feature_code, o.overlap_m2,
       CASE o.layer
         WHEN 'permanent-farmland' THEN (SELECT f.land_class_name FROM permanent_farmland f WHERE f.id = o.feature_id)
         WHEN 'general-farmland' THEN (SELECT f.land_class_name FROM general_farmland f WHERE f.id = o.feature_id)
         WHEN 'eco-redline' THEN (SELECT r.name FROM eco_redline r WHERE r.id = o.feature_id)
         WHEN 'urban-boundary' THEN (SELECT u.name FROM urban_boundary u WHERE u.id = o.feature_id)
         WHEN 'stock-parcel' THEN (SELECT s.category || ' ' || s.name FROM stock_parcel s WHERE s.id = o.feature_id)
       END AS label,
       -- the label's word of an enumeration (land class, stock category) and its name, apart
       CASE o.layer
         WHEN 'permanent-farmland' THEN (SELECT f.land_class_name FROM permanent_farmland f WHERE f.id = o.feature_id)
         WHEN 'general-farmland' THEN (SELECT f.land_class_name FROM general_farmland f WHERE f.id = o.feature_id)
         WHEN 'stock-parcel' THEN (SELECT s.category FROM stock_parcel s WHERE s.id = o.feature_id)
       END AS label_word,
       CASE o.layer
         WHEN 'eco-redline' THEN (SELECT r.name FROM eco_redline r WHERE r.id = o.feature_id)
         WHEN 'urban-boundary' THEN (SELECT u.name FROM urban_boundary u WHERE u.id = o.feature_id)
         WHEN 'stock-parcel' THEN (SELECT s.name FROM stock_parcel s WHERE s.id = o.feature_id)
       END AS label_name
  FROM case_overlap o
 WHERE o.case_id = $1
 ORDER BY array_position(ARRAY['permanent-farmland', 'eco-redline', 'general-farmland', 'urban-boundary', 'stock-parcel'], o.layer),
          o.overlap_m2 DESC, o.feature_id
