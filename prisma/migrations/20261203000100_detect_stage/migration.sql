-- The detect stage (expand only: new nullable columns, a new table). detector_states keeps each
-- series' detector state between runs; spikes get the evidence that opened them.
-- AlterTable
ALTER TABLE "spikes" ADD COLUMN     "evidence" JSONB,
ADD COLUMN     "horizon" TEXT,
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "detector_states" (
    "series_id" BIGINT NOT NULL,
    "organization_id" UUID NOT NULL,
    "settings_hash" TEXT NOT NULL,
    "last_bucket" TIMESTAMPTZ(0),
    "episode_open" BOOLEAN NOT NULL DEFAULT false,
    "state" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "detector_states_pkey" PRIMARY KEY ("series_id")
);

-- CreateIndex
CREATE INDEX "detector_states_organization_id_episode_open_idx" ON "detector_states"("organization_id", "episode_open");

-- CreateIndex
CREATE INDEX "spikes_organization_id_status_detected_at_idx" ON "spikes"("organization_id", "status", "detected_at");

-- AddForeignKey
ALTER TABLE "detector_states" ADD CONSTRAINT "detector_states_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "detector_states" ADD CONSTRAINT "detector_states_series_id_fkey" FOREIGN KEY ("series_id") REFERENCES "series"("id") ON DELETE CASCADE ON UPDATE CASCADE;
