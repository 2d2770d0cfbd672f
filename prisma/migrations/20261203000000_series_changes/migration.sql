-- "Series changed" facts (expand only: a new table). One row per series per transaction that moved
-- its points; the detect stage consumes them (src/store/series-change-sql.ts).
-- CreateTable
CREATE TABLE "series_changes" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "series_id" BIGINT NOT NULL,
    "buckets" TIMESTAMPTZ(0)[],
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "series_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "series_changes_organization_id_id_idx" ON "series_changes"("organization_id", "id");

-- CreateIndex
CREATE INDEX "series_changes_series_id_idx" ON "series_changes"("series_id");

-- AddForeignKey
ALTER TABLE "series_changes" ADD CONSTRAINT "series_changes_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "series_changes" ADD CONSTRAINT "series_changes_series_id_fkey" FOREIGN KEY ("series_id") REFERENCES "series"("id") ON DELETE CASCADE ON UPDATE CASCADE;
