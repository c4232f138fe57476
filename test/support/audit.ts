/** Audit logs in throw-away folders, events to fill them, and the raw lines to tamper with. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEventInput } from '../../electron/core/audit/audit-trail';
import type { AuditLogOptions } from '../../electron/core/audit/audit-log';
import { createDeskAuditLog } from '../../electron/core/audit/desk-audit-log';
import { auditActions } from '../../electron/shared/schemas/audit';
import { FileAuditSigner, testAuditKeyPath } from './file-audit-signer';

/** Actions a service records (the log's own audit.* events mean something to verification). */
const serviceActions = auditActions.filter((action) => !action.startsWith('audit.'));

export function tempHome(prefix = 'carddesk-audit-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * The audit key of a test data folder: a file every process in the test shares (the desk keeps
 * its key sealed in the vault instead; see test/unit/audit-vault-key.test.ts).
 */
export function testSigner(home: string): FileAuditSigner {
  return FileAuditSigner.open(testAuditKeyPath(home));
}

/** A log that signs with the folder's test key (or `options.signer`; null for a locked vault). */
export function openTestLog(home: string = tempHome(), options: Omit<Partial<AuditLogOptions>, 'dir' | 'log'> = {}) {
  return { home, dir: join(home, 'audit'), log: createDeskAuditLog(home, { signer: testSigner(home), ...options }) };
}

/** A varied but reproducible event: operators, holders, actions and outcomes cycle with `i`. */
export function sampleEvent(i: number, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    action: serviceActions[i % serviceActions.length] ?? 'card.pinVerify',
    outcome: i % 3 === 0 ? 'failure' : 'success',
    ...(i % 3 === 0 ? { reason: 'wrongPin' } : {}),
    actor: i % 4 === 3 ? { kind: 'holder', id: `H${i % 7}` } : { kind: 'operator', id: `op${i % 3}` },
    channel: i % 5 === 0 ? 'cli' : 'desk',
    holderId: `H${i % 7}`,
    cardSerial: String(20260000 + (i % 11)),
    details: { reader: 'CardDesk Virtual Reader', n: i },
    ...overrides,
  };
}

export function segmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort();
}

/** Every line of every segment, with where it is. */
export function allLines(dir: string): { segment: string; line: number; text: string }[] {
  return segmentFiles(dir).flatMap((segment) =>
    readFileSync(join(dir, segment), 'utf8')
      .split('\n')
      .filter((text) => text !== '')
      .map((text, i) => ({ segment, line: i + 1, text })),
  );
}

export function rewriteSegment(dir: string, segment: string, edit: (lines: string[]) => string[]): void {
  const path = join(dir, segment);
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.pop();
  const edited = edit(lines);
  writeFileSync(path, edited.length === 0 ? '' : `${edited.join('\n')}\n`);
}
