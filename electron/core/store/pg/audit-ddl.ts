/**
 * The team database's audit log tables (issue 18 §3): one hash chain for all stations. Owned by
 * the PostgreSQL audit log; part of schema version 1 (schema.ts).
 */
export const AUDIT_DDL = `
CREATE TABLE audit_events (
  seq bigint PRIMARY KEY,
  station text NOT NULL,
  at timestamptz NOT NULL,
  record jsonb NOT NULL,
  hash bytea NOT NULL
);
`;
