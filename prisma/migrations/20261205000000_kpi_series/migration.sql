-- KPI series from tickets: a contact rate's customer base, and how far each KPI version's series reflect each connector.
-- AlterTable
ALTER TABLE "kpis" ADD COLUMN     "customer_base" INTEGER;

-- CreateTable
CREATE TABLE "kpi_positions" (
    "kpi_id" UUID NOT NULL,
    "connector_id" UUID NOT NULL,
    "taxonomy_id" UUID,
    "last_seq" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kpi_positions_pkey" PRIMARY KEY ("kpi_id","connector_id")
);

-- AddForeignKey
ALTER TABLE "kpi_positions" ADD CONSTRAINT "kpi_positions_kpi_id_fkey" FOREIGN KEY ("kpi_id") REFERENCES "kpis"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kpi_positions" ADD CONSTRAINT "kpi_positions_connector_id_fkey" FOREIGN KEY ("connector_id") REFERENCES "connectors"("id") ON DELETE CASCADE ON UPDATE CASCADE;
