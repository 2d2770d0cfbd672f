-- Each classification records the series contribution the derive stage has counted for its ticket,
-- so a change moves exactly that contribution (see src/pipeline/derive/plan-derive.ts).
-- AlterTable
ALTER TABLE "ticket_classifications" ADD COLUMN     "counted_bucket" TIMESTAMPTZ(0),
ADD COLUMN     "counted_driver" TEXT;
