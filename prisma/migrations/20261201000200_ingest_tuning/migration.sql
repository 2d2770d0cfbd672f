-- Ingest tuning (bench/ingest.ts): one index less to maintain per ticket write — organization-wide
-- reads go through (connector_id, source_created_at) per connector.
-- DropIndex
DROP INDEX "tickets_organization_id_source_created_at_idx";

-- Raw payloads and version snapshots are TOASTed: lz4 compresses several times faster than the
-- default pglz (PostgreSQL 14+). Prisma does not model column compression, so no drift.
ALTER TABLE "tickets" ALTER COLUMN "raw" SET COMPRESSION lz4;
ALTER TABLE "ticket_versions" ALTER COLUMN "snapshot" SET COMPRESSION lz4;
