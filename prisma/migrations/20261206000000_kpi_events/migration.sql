-- KPI event series: what a KPI feeds the spike detector (hourly counts of the events whose rise hurts it).
-- AlterEnum
ALTER TYPE "SeriesKind" ADD VALUE 'kpi_events';

-- Every KPI is computed once more in full, so its event series cover its whole history.
DELETE FROM "kpi_positions";
