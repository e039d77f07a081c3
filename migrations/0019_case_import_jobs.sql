-- The encroachment batch import on the layer pipeline (docs/ARCHITECTURE.md, "Importing a layer",
-- "Encroachment review"): a case import is a layer_job of kind 'case-import' — its trial run and
-- its commit, staged in layer_store like a layer's import — and a job names the step it is at
-- within its phase (the case import's 查找重复图斑, 写入图斑, 计算占用情况 …) for the progress bar.
ALTER TABLE "layer_job" DROP CONSTRAINT "layer_job_kind_check";--> statement-breakpoint
ALTER TABLE "layer_job" ADD CONSTRAINT "layer_job_kind_check" CHECK ("layer_job"."kind" IN ('import', 'restore', 'case-import'));--> statement-breakpoint
ALTER TABLE "layer_job" ADD COLUMN "step" text;
