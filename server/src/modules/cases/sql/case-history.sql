-- A case's decisions, oldest first. $1 the case id.
SELECT id, at, actor, from_status, to_status, approval_no, comment, case_version, changes
  FROM case_decision
 WHERE case_id = $1
 ORDER BY id
