-- A case's rectification entries, oldest first. $1 the case id.
SELECT id, at, actor, deadline::text AS deadline, rectified, rectified_on::text AS rectified_on, doc_no, note, changes
  FROM case_rectification
 WHERE case_id = $1
 ORDER BY id
