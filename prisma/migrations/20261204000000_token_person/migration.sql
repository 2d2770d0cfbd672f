-- A token may act for a person (governance decisions: stage gates, EBITDA confirmation, need one).
ALTER TABLE "api_tokens" ADD COLUMN     "person_email" TEXT;
