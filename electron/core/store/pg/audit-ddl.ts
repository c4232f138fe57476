/**
 * The team database's audit log tables (issue 18 §3): one hash chain for all stations. Owned by
 * the PostgreSQL audit log (pg-audit-log.ts); part of schema version 1 (schema.ts).
 *
 * `line` is the record exactly as the embedded log writes it (audit-record.ts, without the final
 * "\n"): its hash covers those bytes, so it is text, never jsonb (jsonb reorders keys). The other
 * columns are copies taken from it for queries; verification reads only `seq` and `line`.
 */
export const AUDIT_DDL = `
CREATE TABLE audit_events (
  seq bigint PRIMARY KEY,
  station text NOT NULL,
  type text NOT NULL,
  at timestamptz NOT NULL,
  action text,
  outcome text,
  actor_id text,
  holder_id text,
  change_id text,
  line text NOT NULL
);
-- Time never goes backwards along the chain (audit-batch.ts), so rows are in time order: a
-- block range index answers time ranges for a fraction of a b-tree's upkeep per append.
CREATE INDEX audit_events_at ON audit_events USING brin (at);
CREATE INDEX audit_events_action ON audit_events (action, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_events_holder ON audit_events (holder_id, seq) WHERE holder_id IS NOT NULL;
CREATE INDEX audit_events_change ON audit_events (change_id) WHERE change_id IS NOT NULL;

-- The chain's end: one row, locked FOR UPDATE by the transaction that extends the chain, so
-- batches from all stations follow one another. anchor_seq/key_id: the last signed checkpoint
-- and the key the chain declares (as the embedded log's tail keeps them).
CREATE TABLE audit_head (
  id smallint PRIMARY KEY CHECK (id = 1),
  seq bigint NOT NULL,
  hash text NOT NULL,
  time_ms bigint NOT NULL,
  anchor_seq bigint NOT NULL,
  key_id text
);
INSERT INTO audit_head VALUES (1, 0, '${'0'.repeat(64)}', 0, 0, NULL);
`;
