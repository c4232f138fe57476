/**
 * The team database's schema versions (issue 18 §2). A migration takes the database from
 * `version - 1` to `version`; `carddesk db migrate` runs the pending ones, each in its own
 * transaction, and stations of an older version refuse to write.
 */
import { AUDIT_DDL } from './audit-ddl';
import { RECORDS_DDL } from './records-ddl';

export interface PgMigration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const pgMigrations: readonly PgMigration[] = [
  { version: 1, description: 'Directory, CA state, sealed secrets, settings, contracts and the audit log', sql: `${RECORDS_DDL}\n${AUDIT_DDL}` },
];

export const CURRENT_PG_SCHEMA_VERSION = 1;
