-- Records a rectification entry on a case and the state it leaves, in one statement.
-- $1 id, $2 deadline, $3 rectified on (NULL: not rectified), $4 doc no, $5 note, $6 actor name,
-- $7 actor id, $8 changes (json).
WITH updated AS (
  UPDATE encroachment
     SET rectify_deadline = $2::date, rectified_on = $3::date, rectify_doc_no = $4, rectify_note = $5,
         rectify_by = $6, rectify_at = now()
   WHERE id = $1
  RETURNING id
)
INSERT INTO case_rectification (case_id, actor, actor_id, deadline, rectified, rectified_on, doc_no, note, changes)
SELECT u.id, $6, $7, $2::date, $3::date IS NOT NULL, $3::date, $4, $5, $8::json
  FROM updated u
RETURNING id
