-- CreateIndex
CREATE INDEX "tickets_connector_id_source_created_at_idx" ON "tickets"("connector_id", "source_created_at");
