-- Per-driver spike gates on routes (expand only: a defaulted column).
-- AlterTable
ALTER TABLE "driver_routes" ADD COLUMN     "detection" JSONB NOT NULL DEFAULT '{}';
