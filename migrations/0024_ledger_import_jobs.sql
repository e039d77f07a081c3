-- Importing the stock-land ledger's workbook back (docs/domain.md, "The stock-land ledger") runs
-- on the app's job queue: a layer_job of kind 'ledger-import' — its trial run's report and the
-- checked rows in summary, its commit in one transaction.
ALTER TABLE "layer_job" DROP CONSTRAINT "layer_job_kind_check";--> statement-breakpoint
ALTER TABLE "layer_job" ADD CONSTRAINT "layer_job_kind_check" CHECK ("layer_job"."kind" IN ('import', 'restore', 'case-import', 'ledger-import'));
