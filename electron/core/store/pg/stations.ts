/**
 * The stations that use the team database (issue 18 §2): each desk, kiosk, signer and CLI run
 * registers itself with the schema version it was built for, so `carddesk db status` shows who
 * is still on an older CardDesk before a migration, and when each was last seen.
 */
import { hostname } from 'node:os';
import type pg from 'pg';
import type { StationKind } from './connection';

export interface StationRow {
  readonly id: string;
  readonly kind: StationKind;
  readonly host: string;
  readonly schemaVersion: number;
  readonly lastSeen: string;
}

export interface StationRegistration {
  readonly kind: StationKind;
  readonly host?: string;
  /** Defaults to `<kind>:<host>`: one row per kind of station on a machine. */
  readonly id?: string;
  readonly schemaVersion: number;
}

/** Records (or refreshes) the station; returns its id. */
export async function registerStation(db: pg.Pool | pg.PoolClient, station: StationRegistration): Promise<string> {
  const host = station.host ?? hostname();
  const id = station.id ?? `${station.kind}:${host}`;
  await db.query(
    `INSERT INTO stations (id, kind, host, schema_version, last_seen) VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, host = EXCLUDED.host, schema_version = EXCLUDED.schema_version, last_seen = now()`,
    [id, station.kind, host, station.schemaVersion],
  );
  return id;
}

export async function listStations(db: pg.Pool | pg.PoolClient): Promise<StationRow[]> {
  const result = await db.query<{ id: string; kind: StationKind; host: string; schema_version: number; last_seen: Date }>('SELECT id, kind, host, schema_version, last_seen FROM stations ORDER BY last_seen DESC, id');
  return result.rows.map((row) => ({ id: row.id, kind: row.kind, host: row.host, schemaVersion: row.schema_version, lastSeen: row.last_seen.toISOString() }));
}
