/**
 * The team database's tables for the vault's records and main document (issue 18 §1): what the
 * embedded store keeps in records/ and vault.json. Owned by the PostgreSQL record store
 * (pg-record-store.ts); part of schema version 1 (schema.ts).
 */
export const RECORDS_DDL = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The vault's main document (vault.json in the embedded store): one row, versioned so two
-- stations' updates never overwrite each other (the loser re-applies its change on the winner's).
CREATE TABLE vault_meta (
  id smallint PRIMARY KEY CHECK (id = 1),
  data jsonb NOT NULL,
  version bigint NOT NULL
);

-- Every change to records takes the next number: a station that reconnects reads what changed
-- after the last number it saw. A removed record stays as a row with data NULL (a tombstone).
CREATE SEQUENCE record_change_seq;

CREATE TABLE records (
  collection text NOT NULL,
  id text NOT NULL,
  data jsonb,
  version bigint NOT NULL,
  change_seq bigint NOT NULL,
  PRIMARY KEY (collection, id)
);
CREATE INDEX records_by_change ON records (change_seq);

-- Audit events written in the same transaction as their change, until the audit log holds them.
CREATE TABLE pending_events (
  change_id text PRIMARY KEY,
  at bigint NOT NULL,
  event jsonb NOT NULL
);

-- Files the embedded store keeps beside the vault (contract bytes).
CREATE TABLE blobs (
  name text PRIMARY KEY,
  bytes bytea NOT NULL,
  sha256 text NOT NULL
);
`;
