/**
 * Writes the generated cases' review history (seeds/lib/case-history.ts) inside the seed's
 * transaction: the decisions (case_decision) and the state they leave on each case, and the
 * rectification entries of the cases confirmed illegal (case_rectification) with the state the
 * last one leaves. Deterministic from the seed (and the day the history ends).
 */
import { caseHistory } from '../../../seeds/lib/case-history.ts';
import { Rng } from '../../../seeds/lib/rng.ts';
import type { Queryable } from '../db/database.ts';

/** The random stream of the cases' history (the ledger's are 10 and 11). */
const CASE_STREAM = 12;

export async function loadCaseHistory(tx: Queryable, seed: number, end: string): Promise<{ decisions: number; rectifications: number }> {
  const cases = await tx.query<{ id: number; code: string; county_code: string; detected_on: string }>(
    'SELECT id, code, county_code, detected_on::text AS detected_on FROM encroachment ORDER BY code',
  );
  const h = caseHistory(
    cases.map((c) => ({ id: Number(c.id), code: c.code, countyCode: c.county_code, detectedOn: c.detected_on })),
    new Rng(seed).fork(CASE_STREAM),
    { end },
  );
  const d = h.decisions;
  if (d.length) {
    await tx.query(
      `INSERT INTO case_decision (case_id, at, actor, from_status, to_status, approval_no, comment, case_version, changes)
       SELECT v.case_id, v.at, v.actor, '待核查', v.to_status, v.approval_no, v.comment, 2, v.changes
         FROM unnest($1::int[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::json[])
              AS v(case_id, at, actor, to_status, approval_no, comment, changes)`,
      [d.map((x) => x.caseId), d.map((x) => x.at), d.map((x) => x.actor), d.map((x) => x.toStatus), d.map((x) => x.approvalNo), d.map((x) => x.comment), d.map((x) => JSON.stringify(x.changes))],
    );
    await tx.query(
      `UPDATE encroachment e
          SET status = v.to_status, approval_no = v.approval_no, decision_comment = v.comment, decided_by = v.actor, decided_at = v.at, version = 2
         FROM unnest($1::int[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[]) AS v(case_id, at, actor, to_status, approval_no, comment)
        WHERE e.id = v.case_id`,
      [d.map((x) => x.caseId), d.map((x) => x.at), d.map((x) => x.actor), d.map((x) => x.toStatus), d.map((x) => x.approvalNo), d.map((x) => x.comment)],
    );
  }
  const r = h.rectifications;
  if (r.length) {
    await tx.query(
      `INSERT INTO case_rectification (case_id, at, actor, deadline, rectified, rectified_on, doc_no, note, changes)
       SELECT v.case_id, v.at, v.actor, v.deadline, v.rectified_on IS NOT NULL, v.rectified_on, v.doc_no, v.note, v.changes
         FROM unnest($1::int[], $2::timestamptz[], $3::text[], $4::date[], $5::date[], $6::text[], $7::text[], $8::json[])
              AS v(case_id, at, actor, deadline, rectified_on, doc_no, note, changes)
        ORDER BY v.case_id, v.at`,
      [r.map((x) => x.caseId), r.map((x) => x.at), r.map((x) => x.actor), r.map((x) => x.deadline), r.map((x) => x.rectifiedOn), r.map((x) => x.docNo), r.map((x) => x.note), r.map((x) => JSON.stringify(x.changes))],
    );
    // each case shows the state its last entry left
    await tx.query(
      `UPDATE encroachment e
          SET rectify_deadline = l.deadline, rectified_on = l.rectified_on, rectify_note = l.note, rectify_doc_no = l.doc_no, rectify_by = l.actor, rectify_at = l.at
         FROM (SELECT DISTINCT ON (case_id) case_id, deadline, rectified_on, note, doc_no, actor, at FROM case_rectification ORDER BY case_id, id DESC) l
        WHERE e.id = l.case_id`,
    );
  }
  return { decisions: d.length, rectifications: r.length };
}
