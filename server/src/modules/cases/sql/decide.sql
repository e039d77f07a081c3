-- Records a decision on a case whose version is still the one the auditor loaded, and its
-- history row, in one statement: no row back when the version has moved on.
-- $1 id, $2 expected version, $3 status, $4 approval no, $5 comment, $6 actor, $7 from status,
-- $8 changes (json).
WITH updated AS (
  UPDATE encroachment
     SET status = $3, approval_no = $4, decision_comment = $5, decided_by = $6, decided_at = now(),
         version = version + 1
   WHERE id = $1 AND version = $2
  RETURNING id, version
)
INSERT INTO case_decision (case_id, actor, from_status, to_status, approval_no, comment, case_version, changes)
SELECT u.id, $6, $7, $3, $4, $5, u.version, $8::json
  FROM updated u
RETURNING case_id, case_version
