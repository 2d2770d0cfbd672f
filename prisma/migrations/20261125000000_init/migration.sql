-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'analyst', 'executive', 'controller', 'service');

-- CreateEnum
CREATE TYPE "MeasureStage" AS ENUM ('defined', 'identified', 'detailed', 'decided', 'implemented', 'closed', 'on_hold');

-- CreateEnum
CREATE TYPE "MilestoneStatus" AS ENUM ('planned', 'on_track', 'at_risk', 'late', 'done');

-- CreateEnum
CREATE TYPE "EbitdaKind" AS ENUM ('plan', 'forecast', 'actual');

-- CreateEnum
CREATE TYPE "SourceSystem" AS ENUM ('zendesk', 'servicenow', 'jira');

-- CreateEnum
CREATE TYPE "SyncMode" AS ENUM ('incremental', 'backfill');

-- CreateEnum
CREATE TYPE "SyncRunStatus" AS ENUM ('running', 'succeeded', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "FailureClass" AS ENUM ('config', 'transient', 'system');

-- CreateEnum
CREATE TYPE "TicketStatus" AS ENUM ('new', 'open', 'pending', 'on_hold', 'resolved', 'closed', 'deleted');

-- CreateEnum
CREATE TYPE "TicketPriority" AS ENUM ('low', 'normal', 'high', 'urgent');

-- CreateEnum
CREATE TYPE "FunctionArea" AS ENUM ('engineering', 'product', 'operations', 'finance', 'legal', 'support', 'sales', 'security');

-- CreateEnum
CREATE TYPE "HierarchyLevel" AS ENUM ('organization', 'portfolio', 'program', 'project', 'measure_package', 'measure');

-- CreateEnum
CREATE TYPE "KpiMetric" AS ENUM ('volume', 'backlog', 'sla_breach_rate', 'resolution_time', 'reopen_rate', 'csat', 'contact_rate_per_1k_customers');

-- CreateEnum
CREATE TYPE "Bucket" AS ENUM ('hour', 'day', 'week');

-- CreateEnum
CREATE TYPE "Direction" AS ENUM ('up_is_good', 'down_is_good');

-- CreateEnum
CREATE TYPE "SeriesKind" AS ENUM ('driver_volume', 'unmatched_volume', 'kpi');

-- CreateEnum
CREATE TYPE "SpikeStatus" AS ENUM ('open', 'resolved');

-- CreateEnum
CREATE TYPE "InterventionStatus" AS ENUM ('open', 'acknowledged', 'in_progress', 'resolved', 'effect_verified');

-- CreateEnum
CREATE TYPE "Severity" AS ENUM ('low', 'medium', 'high', 'critical');

-- CreateTable
CREATE TABLE "organizations" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL DEFAULT 'UTC',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "people" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "function" "FunctionArea",
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "people_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_token_organizations" (
    "token_id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,

    CONSTRAINT "api_token_organizations_pkey" PRIMARY KEY ("token_id","organization_id")
);

-- CreateTable
CREATE TABLE "business_units" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "business_units_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "portfolios" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "goal" TEXT,

    CONSTRAINT "portfolios_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "programs" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "portfolio_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "goal" TEXT,

    CONSTRAINT "programs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "projects" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "program_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "projects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "measure_packages" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "measure_packages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "measures" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "package_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT,
    "business_unit_id" UUID,
    "sponsor_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "controller_id" UUID NOT NULL,
    "steering_committee" TEXT,
    "stage" "MeasureStage" NOT NULL DEFAULT 'defined',
    "planned_ebitda" DECIMAL(18,2),
    "currency" CHAR(3) NOT NULL DEFAULT 'EUR',
    "ebitda_period_start" DATE,
    "ebitda_period_end" DATE,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "measures_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "milestones" (
    "id" UUID NOT NULL,
    "measure_id" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "due_date" DATE NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "status" "MilestoneStatus" NOT NULL DEFAULT 'planned',

    CONSTRAINT "milestones_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ebitda_entries" (
    "id" UUID NOT NULL,
    "measure_id" UUID NOT NULL,
    "kind" "EbitdaKind" NOT NULL,
    "period_start" DATE NOT NULL,
    "period_end" DATE NOT NULL,
    "amount" DECIMAL(18,2) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "confirmed_by" UUID,
    "confirmed_at" TIMESTAMPTZ(3),
    "evidence" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ebitda_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stage_transitions" (
    "id" UUID NOT NULL,
    "measure_id" UUID NOT NULL,
    "from_stage" "MeasureStage" NOT NULL,
    "to_stage" "MeasureStage" NOT NULL,
    "decided_by" UUID NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT NOT NULL,
    "evidence" JSONB,

    CONSTRAINT "stage_transitions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connectors" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "system" "SourceSystem" NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "base_url" TEXT NOT NULL,
    "allow_insecure_base_url" BOOLEAN NOT NULL DEFAULT false,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "sync_every_seconds" INTEGER NOT NULL DEFAULT 300,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "connectors_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connector_secrets" (
    "connector_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "iv" BYTEA NOT NULL,
    "tag" BYTEA NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "connector_secrets_pkey" PRIMARY KEY ("connector_id","name")
);

-- CreateTable
CREATE TABLE "sync_states" (
    "connector_id" UUID NOT NULL,
    "stream" TEXT NOT NULL,
    "cursor" TEXT,
    "cursor_updated_at" TIMESTAMPTZ(3),
    "source_high_water" TIMESTAMPTZ(3),
    "last_success_at" TIMESTAMPTZ(3),
    "last_error_at" TIMESTAMPTZ(3),
    "last_error_class" "FailureClass",
    "last_error" TEXT,
    "rate_budget" JSONB,
    "fencing_token" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "sync_states_pkey" PRIMARY KEY ("connector_id","stream")
);

-- CreateTable
CREATE TABLE "sync_runs" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "connector_id" UUID NOT NULL,
    "stream" TEXT NOT NULL,
    "mode" "SyncMode" NOT NULL,
    "status" "SyncRunStatus" NOT NULL DEFAULT 'running',
    "job_id" TEXT,
    "fencing_token" BIGINT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "heartbeat_at" TIMESTAMPTZ(3),
    "cursor_before" TEXT,
    "cursor_after" TEXT,
    "since_at" TIMESTAMPTZ(3),
    "pages" INTEGER NOT NULL DEFAULT 0,
    "fetched" INTEGER NOT NULL DEFAULT 0,
    "inserted" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "quarantined" INTEGER NOT NULL DEFAULT 0,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "throttled" INTEGER NOT NULL DEFAULT 0,
    "waited_ms" BIGINT NOT NULL DEFAULT 0,
    "progress_at" TIMESTAMPTZ(3),
    "error_class" "FailureClass",
    "error_code" TEXT,
    "error_message" TEXT,

    CONSTRAINT "sync_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tickets" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "connector_id" UUID NOT NULL,
    "native_id" TEXT NOT NULL,
    "key" TEXT,
    "url" TEXT,
    "subject" TEXT,
    "status" "TicketStatus" NOT NULL,
    "priority" "TicketPriority",
    "channel" TEXT,
    "type" TEXT,
    "customer_account" TEXT,
    "requester_ref" TEXT,
    "group_ref" TEXT,
    "product" TEXT,
    "component" TEXT,
    "service" TEXT,
    "category" TEXT,
    "subcategory" TEXT,
    "tags" TEXT[],
    "form_id" TEXT,
    "custom_fields" JSONB NOT NULL DEFAULT '{}',
    "csat" TEXT,
    "sla_breached" BOOLEAN,
    "reopen_count" INTEGER NOT NULL DEFAULT 0,
    "source_created_at" TIMESTAMPTZ(3) NOT NULL,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "closed_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),
    "content_hash" TEXT NOT NULL,
    "normaliser_version" INTEGER NOT NULL,
    "raw" JSONB,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "change_seq" BIGSERIAL NOT NULL,

    CONSTRAINT "tickets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_versions" (
    "id" BIGSERIAL NOT NULL,
    "ticket_id" BIGINT NOT NULL,
    "source_updated_at" TIMESTAMPTZ(3) NOT NULL,
    "content_hash" TEXT NOT NULL,
    "status" "TicketStatus" NOT NULL,
    "priority" "TicketPriority",
    "snapshot" JSONB NOT NULL,
    "observed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sync_run_id" BIGINT,

    CONSTRAINT "ticket_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "quarantined_records" (
    "id" BIGSERIAL NOT NULL,
    "connector_id" UUID NOT NULL,
    "stream" TEXT NOT NULL,
    "native_id" TEXT,
    "reason" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "payload_hash" TEXT NOT NULL,
    "sync_run_id" BIGINT,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "quarantined_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "driver_taxonomies" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "content_hash" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "driver_taxonomies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "drivers" (
    "id" UUID NOT NULL,
    "taxonomy_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "parent_key" TEXT,
    "owning_function" "FunctionArea" NOT NULL,
    "owners" TEXT[],
    "description" TEXT,

    CONSTRAINT "drivers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "driver_rules" (
    "id" UUID NOT NULL,
    "taxonomy_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "driver_key" TEXT NOT NULL,
    "condition" JSONB NOT NULL,

    CONSTRAINT "driver_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_classifications" (
    "ticket_id" BIGINT NOT NULL,
    "taxonomy_id" UUID NOT NULL,
    "driver_key" TEXT,
    "rule_key" TEXT,
    "ticket_hash" TEXT NOT NULL,
    "classified_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ticket_classifications_pkey" PRIMARY KEY ("ticket_id","taxonomy_id")
);

-- CreateTable
CREATE TABLE "derive_states" (
    "connector_id" UUID NOT NULL,
    "taxonomy_id" UUID NOT NULL,
    "last_seq" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "derive_states_pkey" PRIMARY KEY ("connector_id","taxonomy_id")
);

-- CreateTable
CREATE TABLE "kpis" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "name" TEXT NOT NULL,
    "node_level" "HierarchyLevel" NOT NULL,
    "node_id" UUID NOT NULL,
    "metric" "KpiMetric" NOT NULL,
    "filters" JSONB NOT NULL DEFAULT '{}',
    "bucket" "Bucket" NOT NULL DEFAULT 'day',
    "time_zone" TEXT NOT NULL DEFAULT 'UTC',
    "direction" "Direction" NOT NULL,
    "target" DECIMAL(18,4),
    "bands" JSONB,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "kpis_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "series" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "kind" "SeriesKind" NOT NULL,
    "connector_id" UUID,
    "driver_key" TEXT,
    "kpi_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "series_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "series_points" (
    "series_id" BIGINT NOT NULL,
    "bucket_start" TIMESTAMPTZ(0) NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "series_points_pkey" PRIMARY KEY ("series_id","bucket_start")
);

-- CreateTable
CREATE TABLE "spikes" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "series_id" BIGINT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(0) NOT NULL,
    "window_end" TIMESTAMPTZ(0) NOT NULL,
    "started_at" TIMESTAMPTZ(0) NOT NULL,
    "peak_at" TIMESTAMPTZ(0) NOT NULL,
    "observed" DOUBLE PRECISION NOT NULL,
    "expected" DOUBLE PRECISION NOT NULL,
    "pct_change" DOUBLE PRECISION NOT NULL,
    "significance" DOUBLE PRECISION NOT NULL,
    "status" "SpikeStatus" NOT NULL DEFAULT 'open',
    "explanation" TEXT,
    "example_tickets" BIGINT[],
    "affected_customers" INTEGER NOT NULL DEFAULT 0,
    "detected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "spikes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "intervention_items" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "spike_id" UUID,
    "kpi_id" UUID,
    "measure_id" UUID,
    "title" TEXT NOT NULL,
    "narrative" TEXT NOT NULL,
    "ask" TEXT,
    "severity" "Severity" NOT NULL,
    "owner_id" UUID,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "InterventionStatus" NOT NULL DEFAULT 'open',
    "escalated_at" TIMESTAMPTZ(3),
    "jira_issue_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "intervention_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "intervention_participants" (
    "intervention_id" UUID NOT NULL,
    "function" "FunctionArea" NOT NULL,
    "person_id" UUID,

    CONSTRAINT "intervention_participants_pkey" PRIMARY KEY ("intervention_id","function")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "reason" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "config_applies" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "content_hash" TEXT NOT NULL,
    "sources" TEXT[],
    "actor" TEXT NOT NULL,
    "summary" JSONB NOT NULL,
    "applied_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "config_applies_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "organizations_key_key" ON "organizations"("key");

-- CreateIndex
CREATE UNIQUE INDEX "people_organization_id_email_key" ON "people"("organization_id", "email");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "business_units_organization_id_key_key" ON "business_units"("organization_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "portfolios_organization_id_key_key" ON "portfolios"("organization_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "programs_organization_id_key_key" ON "programs"("organization_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "projects_organization_id_key_key" ON "projects"("organization_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "measure_packages_organization_id_key_key" ON "measure_packages"("organization_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "measures_organization_id_key_key" ON "measures"("organization_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "ebitda_entries_measure_id_kind_period_start_key" ON "ebitda_entries"("measure_id", "kind", "period_start");

-- CreateIndex
CREATE INDEX "stage_transitions_measure_id_decided_at_idx" ON "stage_transitions"("measure_id", "decided_at");

-- CreateIndex
CREATE UNIQUE INDEX "connectors_organization_id_key_key" ON "connectors"("organization_id", "key");

-- CreateIndex
CREATE INDEX "sync_runs_connector_id_stream_started_at_idx" ON "sync_runs"("connector_id", "stream", "started_at" DESC);

-- CreateIndex
CREATE INDEX "tickets_connector_id_change_seq_idx" ON "tickets"("connector_id", "change_seq");

-- CreateIndex
CREATE INDEX "tickets_organization_id_source_created_at_idx" ON "tickets"("organization_id", "source_created_at");

-- CreateIndex
CREATE INDEX "tickets_organization_id_requester_ref_idx" ON "tickets"("organization_id", "requester_ref");

-- CreateIndex
CREATE UNIQUE INDEX "tickets_organization_id_connector_id_native_id_key" ON "tickets"("organization_id", "connector_id", "native_id");

-- CreateIndex
CREATE UNIQUE INDEX "ticket_versions_ticket_id_source_updated_at_content_hash_key" ON "ticket_versions"("ticket_id", "source_updated_at", "content_hash");

-- CreateIndex
CREATE UNIQUE INDEX "quarantined_records_connector_id_stream_payload_hash_key" ON "quarantined_records"("connector_id", "stream", "payload_hash");

-- CreateIndex
CREATE UNIQUE INDEX "driver_taxonomies_organization_id_version_key" ON "driver_taxonomies"("organization_id", "version");

-- CreateIndex
CREATE UNIQUE INDEX "driver_taxonomies_organization_id_content_hash_key" ON "driver_taxonomies"("organization_id", "content_hash");

-- CreateIndex
CREATE UNIQUE INDEX "drivers_taxonomy_id_key_key" ON "drivers"("taxonomy_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "driver_rules_taxonomy_id_position_key" ON "driver_rules"("taxonomy_id", "position");

-- CreateIndex
CREATE UNIQUE INDEX "driver_rules_taxonomy_id_key_key" ON "driver_rules"("taxonomy_id", "key");

-- CreateIndex
CREATE INDEX "ticket_classifications_taxonomy_id_driver_key_idx" ON "ticket_classifications"("taxonomy_id", "driver_key");

-- CreateIndex
CREATE UNIQUE INDEX "kpis_organization_id_key_version_key" ON "kpis"("organization_id", "key", "version");

-- CreateIndex
CREATE UNIQUE INDEX "series_organization_id_key_key" ON "series"("organization_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "spikes_organization_id_fingerprint_key" ON "spikes"("organization_id", "fingerprint");

-- CreateIndex
CREATE UNIQUE INDEX "intervention_items_organization_id_fingerprint_key" ON "intervention_items"("organization_id", "fingerprint");

-- CreateIndex
CREATE INDEX "audit_log_organization_id_at_idx" ON "audit_log"("organization_id", "at");

-- CreateIndex
CREATE INDEX "audit_log_entity_type_entity_id_idx" ON "audit_log"("entity_type", "entity_id");

-- CreateIndex
CREATE INDEX "config_applies_organization_id_applied_at_idx" ON "config_applies"("organization_id", "applied_at");

-- AddForeignKey
ALTER TABLE "people" ADD CONSTRAINT "people_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_token_organizations" ADD CONSTRAINT "api_token_organizations_token_id_fkey" FOREIGN KEY ("token_id") REFERENCES "api_tokens"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_token_organizations" ADD CONSTRAINT "api_token_organizations_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "business_units" ADD CONSTRAINT "business_units_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "portfolios" ADD CONSTRAINT "portfolios_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "programs" ADD CONSTRAINT "programs_portfolio_id_fkey" FOREIGN KEY ("portfolio_id") REFERENCES "portfolios"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "projects" ADD CONSTRAINT "projects_program_id_fkey" FOREIGN KEY ("program_id") REFERENCES "programs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "measure_packages" ADD CONSTRAINT "measure_packages_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "measures" ADD CONSTRAINT "measures_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "measure_packages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "measures" ADD CONSTRAINT "measures_business_unit_id_fkey" FOREIGN KEY ("business_unit_id") REFERENCES "business_units"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "measures" ADD CONSTRAINT "measures_sponsor_id_fkey" FOREIGN KEY ("sponsor_id") REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "measures" ADD CONSTRAINT "measures_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "measures" ADD CONSTRAINT "measures_controller_id_fkey" FOREIGN KEY ("controller_id") REFERENCES "people"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "milestones" ADD CONSTRAINT "milestones_measure_id_fkey" FOREIGN KEY ("measure_id") REFERENCES "measures"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ebitda_entries" ADD CONSTRAINT "ebitda_entries_measure_id_fkey" FOREIGN KEY ("measure_id") REFERENCES "measures"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stage_transitions" ADD CONSTRAINT "stage_transitions_measure_id_fkey" FOREIGN KEY ("measure_id") REFERENCES "measures"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connectors" ADD CONSTRAINT "connectors_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "connector_secrets" ADD CONSTRAINT "connector_secrets_connector_id_fkey" FOREIGN KEY ("connector_id") REFERENCES "connectors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_states" ADD CONSTRAINT "sync_states_connector_id_fkey" FOREIGN KEY ("connector_id") REFERENCES "connectors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sync_runs" ADD CONSTRAINT "sync_runs_connector_id_fkey" FOREIGN KEY ("connector_id") REFERENCES "connectors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_connector_id_fkey" FOREIGN KEY ("connector_id") REFERENCES "connectors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_versions" ADD CONSTRAINT "ticket_versions_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "quarantined_records" ADD CONSTRAINT "quarantined_records_connector_id_fkey" FOREIGN KEY ("connector_id") REFERENCES "connectors"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "driver_taxonomies" ADD CONSTRAINT "driver_taxonomies_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "drivers" ADD CONSTRAINT "drivers_taxonomy_id_fkey" FOREIGN KEY ("taxonomy_id") REFERENCES "driver_taxonomies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "driver_rules" ADD CONSTRAINT "driver_rules_taxonomy_id_fkey" FOREIGN KEY ("taxonomy_id") REFERENCES "driver_taxonomies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_classifications" ADD CONSTRAINT "ticket_classifications_ticket_id_fkey" FOREIGN KEY ("ticket_id") REFERENCES "tickets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_classifications" ADD CONSTRAINT "ticket_classifications_taxonomy_id_fkey" FOREIGN KEY ("taxonomy_id") REFERENCES "driver_taxonomies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "kpis" ADD CONSTRAINT "kpis_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "series" ADD CONSTRAINT "series_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "series" ADD CONSTRAINT "series_kpi_id_fkey" FOREIGN KEY ("kpi_id") REFERENCES "kpis"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "series_points" ADD CONSTRAINT "series_points_series_id_fkey" FOREIGN KEY ("series_id") REFERENCES "series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "spikes" ADD CONSTRAINT "spikes_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "spikes" ADD CONSTRAINT "spikes_series_id_fkey" FOREIGN KEY ("series_id") REFERENCES "series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intervention_items" ADD CONSTRAINT "intervention_items_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intervention_items" ADD CONSTRAINT "intervention_items_spike_id_fkey" FOREIGN KEY ("spike_id") REFERENCES "spikes"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intervention_items" ADD CONSTRAINT "intervention_items_kpi_id_fkey" FOREIGN KEY ("kpi_id") REFERENCES "kpis"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intervention_items" ADD CONSTRAINT "intervention_items_measure_id_fkey" FOREIGN KEY ("measure_id") REFERENCES "measures"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intervention_items" ADD CONSTRAINT "intervention_items_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "people"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intervention_participants" ADD CONSTRAINT "intervention_participants_intervention_id_fkey" FOREIGN KEY ("intervention_id") REFERENCES "intervention_items"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intervention_participants" ADD CONSTRAINT "intervention_participants_person_id_fkey" FOREIGN KEY ("person_id") REFERENCES "people"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "config_applies" ADD CONSTRAINT "config_applies_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Domain rules Prisma cannot express.
-- A measure's controller is never its owner or its sponsor (DESIGN.md, controller-backed closure).
ALTER TABLE "measures" ADD CONSTRAINT "measures_controller_independent"
  CHECK ("controller_id" <> "owner_id" AND "controller_id" <> "sponsor_id");
-- The audit log is append-only.
CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER "audit_log_no_update" BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();
