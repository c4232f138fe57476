/**
 * The `audit:*` channels. Reading the history is not recorded (the screens read it live);
 * verifying and exporting are (`audit.verify`, `audit.export`).
 */
import { CardDeskError } from '../../shared/errors';
import { MAX_SCREEN_EXPORT, type AuditEntry, type AuditFilter, type AuditOperator, type AuditVerifyReport } from '../../shared/schemas/audit';
import { operationOf, type CallContext } from '../api/context';
import type { ContractHandlers } from '../api/handlers';
import type { OperationContext } from '../operation-context';
import { csvEntry, csvHeader } from './audit-csv';
import type { AuditLog } from './audit-log';
import type { AuditStore } from './audit-store';
import type { AuditTrail } from './audit-trail';
import type { VerifyOptions } from './audit-verify';
import { exportMatches, holderSummary, operatorIdsNamed, queryPage } from './audit-queries';

type AuditChannel = 'audit:query' | 'audit:operators' | 'audit:holderSummary' | 'audit:integrity' | 'audit:verify' | 'audit:exportCsv' | 'audit:acknowledgeLoss';

export interface AuditHandlerDeps {
  readonly audit: AuditLog;
  readonly operatorId: string;
  /**
   * The holder identified at a kiosk (card and PIN), or null. The kiosk's session provides it
   * once kiosk sign-in exists; until then a kiosk can read no one's history.
   */
  readonly kioskHolder?: (context: CallContext) => string | null;
  /** The operator accounts, removed ones too (the operator filter and the names of the actors); none when absent. */
  readonly operators?: () => readonly AuditOperator[];
}

/** What was asked for, for the audit record of an export (filters are never secret). */
export function describeFilter(filter: AuditFilter): Record<string, string> {
  const described: Record<string, string> = {};
  for (const [name, value] of Object.entries(filter)) {
    if (value !== undefined) described[`filter.${name}`] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return described;
}

export async function verifyAndRecord(audit: Pick<AuditStore, 'verify' | 'record'>, operation: OperationContext, options: VerifyOptions = {}): Promise<AuditVerifyReport> {
  const report = await audit.verify(options);
  const first = report.problems[0];
  await audit.record({
    action: 'audit.verify',
    outcome: report.intact ? 'success' : 'failure',
    ...(first === undefined ? {} : { reason: `${report.problemCount} problem(s); first: ${first.message}` }),
    actor: operation.actor,
    channel: operation.channel,
    details: { records: report.records, lastSeq: report.lastSeq ?? 0, problems: report.problemCount },
  });
  return report;
}

/** Records an export; `file` is the name of the file it went to (recorded before the file takes that name). */
export async function recordExport(audit: AuditTrail, operation: OperationContext, filter: AuditFilter, rows: number, file?: string): Promise<void> {
  await audit.record({
    action: 'audit.export',
    outcome: 'success',
    actor: operation.actor,
    channel: operation.channel,
    details: { format: 'csv', rows, ...describeFilter(filter), ...(file === undefined ? {} : { file }) },
  });
}

export function exportFileName(now: Date): string {
  return `carddesk-audit-${now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}.csv`;
}

export function auditHandlers(deps: AuditHandlerDeps): Pick<ContractHandlers, AuditChannel> {
  const { audit, operatorId } = deps;
  const operators = (): AuditOperator[] => (deps.operators?.() ?? []).map(({ id, name, state }) => ({ id, name, state }));
  const operatorIds = (name: string): string[] => operatorIdsNamed(operators(), name);
  return {
    'audit:query': async (args) => {
      const { index, reader } = await audit.index();
      return queryPage(index, reader, args, operatorIds);
    },
    'audit:operators': () => operators(),
    'audit:holderSummary': async (args, context) => {
      if (context.surface === 'kiosk' && (deps.kioskHolder?.(context) ?? null) !== args.holderId) {
        throw new CardDeskError('HOLDER_NOT_IDENTIFIED', 'At the kiosk a holder sees only their own history, after identifying with card and PIN.');
      }
      const { index, reader } = await audit.index();
      return holderSummary(index, reader, args);
    },
    'audit:integrity': () => audit.lastVerification,
    'audit:verify': (_args, context) => verifyAndRecord(audit, operationOf(context, operatorId)),
    'audit:acknowledgeLoss': async (_args, context) => {
      const operation = operationOf(context, operatorId);
      await audit.acknowledgeLoss(operation);
      return verifyAndRecord(audit, operation);
    },
    'audit:exportCsv': async (filter, context) => {
      const { index, reader } = await audit.index();
      const parts = [csvHeader];
      const { rows, truncated } = await exportMatches(index, reader, filter, MAX_SCREEN_EXPORT, (entries: AuditEntry[]) => {
        for (const entry of entries) parts.push(csvEntry(entry));
      }, operatorIds);
      await recordExport(audit, operationOf(context, operatorId), filter, rows);
      return { fileName: exportFileName(new Date()), csv: parts.join(''), rows, truncated };
    },
  };
}
