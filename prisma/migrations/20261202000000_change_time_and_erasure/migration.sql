-- Spine hardening (expand only: new nullable columns and a new table, so workers of the previous
-- release keep running during a rolling deploy).
-- The source's change time orders versions that share updated_at (Zendesk generated_timestamp: a
-- deletion or a scrub moves only it); support_type keeps Zendesk AI-agent tickets apart; erased_at marks
-- tickets whose personal data was erased (scrubbed by the source, or on a requester's request).
-- AlterTable
ALTER TABLE "ticket_versions" ADD COLUMN     "source_changed_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "tickets" ADD COLUMN     "erased_at" TIMESTAMPTZ(3),
ADD COLUMN     "source_changed_at" TIMESTAMPTZ(3),
ADD COLUMN     "support_type" TEXT;

-- CreateTable
CREATE TABLE "erased_requesters" (
    "connector_id" UUID NOT NULL,
    "requester_ref" TEXT NOT NULL,
    "organization_id" UUID NOT NULL,
    "erased_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "reason" TEXT,

    CONSTRAINT "erased_requesters_pkey" PRIMARY KEY ("connector_id","requester_ref")
);

-- AddForeignKey
ALTER TABLE "erased_requesters" ADD CONSTRAINT "erased_requesters_connector_id_fkey" FOREIGN KEY ("connector_id") REFERENCES "connectors"("id") ON DELETE CASCADE ON UPDATE CASCADE;
