-- Intervention items (expand only: new nullable or defaulted columns, new tables, one enum value).
-- Routing (driver_routes, people.functions/escalate_to, organizations.routing), the reporting cadence
-- items are due before, releases, silences, and the spikes each item answers (intervention_spikes).
-- AlterEnum
ALTER TYPE "InterventionStatus" ADD VALUE 'reopened';

-- AlterTable
ALTER TABLE "intervention_items" ADD COLUMN     "acknowledged_at" TIMESTAMPTZ(3),
ADD COLUMN     "driver_key" TEXT,
ADD COLUMN     "escalation_level" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "evidence" JSONB,
ADD COLUMN     "group_key" TEXT,
ADD COLUMN     "on_agenda_at" TIMESTAMPTZ(3),
ADD COLUMN     "release_id" UUID,
ADD COLUMN     "reopened_at" TIMESTAMPTZ(3),
ADD COLUMN     "resolved_at" TIMESTAMPTZ(3),
ADD COLUMN     "started_at" TIMESTAMPTZ(3),
ADD COLUMN     "verified_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "organizations" ADD COLUMN     "reporting_cadence" JSONB,
ADD COLUMN     "routing" JSONB;

-- AlterTable
ALTER TABLE "people" ADD COLUMN     "escalate_to" TEXT,
ADD COLUMN     "functions" "FunctionArea"[] DEFAULT ARRAY[]::"FunctionArea"[];

-- CreateTable
CREATE TABLE "intervention_spikes" (
    "intervention_id" UUID NOT NULL,
    "spike_id" UUID NOT NULL,
    "linked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "intervention_spikes_pkey" PRIMARY KEY ("intervention_id","spike_id")
);

-- CreateTable
CREATE TABLE "releases" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "released_at" TIMESTAMPTZ(3) NOT NULL,
    "products" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "source" TEXT NOT NULL DEFAULT 'config',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "releases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "driver_routes" (
    "organization_id" UUID NOT NULL,
    "driver_prefix" TEXT NOT NULL,
    "owner_email" TEXT NOT NULL,
    "functions" "FunctionArea"[] DEFAULT ARRAY[]::"FunctionArea"[],
    "measures" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "kpis" TEXT[] DEFAULT ARRAY[]::TEXT[],

    CONSTRAINT "driver_routes_pkey" PRIMARY KEY ("organization_id","driver_prefix")
);

-- CreateTable
CREATE TABLE "silences" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "driver_prefix" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "expired_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "silences_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "intervention_spikes_spike_id_key" ON "intervention_spikes"("spike_id");

-- CreateIndex
CREATE INDEX "releases_organization_id_released_at_idx" ON "releases"("organization_id", "released_at");

-- CreateIndex
CREATE UNIQUE INDEX "releases_organization_id_key_key" ON "releases"("organization_id", "key");

-- CreateIndex
CREATE INDEX "silences_organization_id_ends_at_idx" ON "silences"("organization_id", "ends_at");

-- CreateIndex
CREATE INDEX "intervention_items_organization_id_status_idx" ON "intervention_items"("organization_id", "status");

-- AddForeignKey
ALTER TABLE "intervention_items" ADD CONSTRAINT "intervention_items_release_id_fkey" FOREIGN KEY ("release_id") REFERENCES "releases"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intervention_spikes" ADD CONSTRAINT "intervention_spikes_intervention_id_fkey" FOREIGN KEY ("intervention_id") REFERENCES "intervention_items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intervention_spikes" ADD CONSTRAINT "intervention_spikes_spike_id_fkey" FOREIGN KEY ("spike_id") REFERENCES "spikes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "releases" ADD CONSTRAINT "releases_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "driver_routes" ADD CONSTRAINT "driver_routes_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "silences" ADD CONSTRAINT "silences_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

