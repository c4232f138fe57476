/**
 * The change-events kill test's victim (issue 11 §2): opens a data folder as the app does (the
 * vault, the desk's audit log, recovery), then runs one operation for ever through the real
 * services — `import` (a CSV of 3 holders), `issue` (a certificate), `revoke` and `suspend` (of a
 * certificate it issued just before), `card` (a blank card registered in the directory) —
 * printing "ack <operation> <key>" once each call returned (acknowledged).
 *
 * Kill points, for this test writer only (the product has none): with CARDDESK_TEST_KILL_AT=vault
 * it SIGKILLs itself right after the N-th change of its operation is durable in the vault journal
 * (before its event), with =event right after that change's event is durable in the audit log
 * (before the call returns); N is CARDDESK_TEST_KILL_AT_COUNT (default 1). It hooks the product
 * from outside: the record store's change listener and a wrapper around the audit trail.
 *
 * Run as a bundled script: node change-writer.cjs <dataDir> <operation>.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeSync } from 'node:fs';
import { appendDurably } from '../../electron/core/files/safe-file';
import { createDeskAuditLog } from '../../electron/core/audit/desk-audit-log';
import type { AuditEventInput, AuditTrail } from '../../electron/core/audit/audit-trail';
import { createRequest } from '../../electron/core/ca/certification-request';
import { toPem } from '../../electron/core/ca/der';
import { silentLogger } from '../../electron/core/log/logger';
import { createVaultServices } from '../../electron/core/vault/vault-services';
import { CHANGE_OPERATIONS, changeAction, type ChangeOperation } from './change-operations';
import { operator, PASSPHRASE, personalNumber } from './vault-fixtures';

const [dataDir, operationArg] = process.argv.slice(2);
if (dataDir === undefined || !CHANGE_OPERATIONS.includes(operationArg as ChangeOperation)) throw new Error(`usage: change-writer <dataDir> <${CHANGE_OPERATIONS.join('|')}>`);
const operation = operationArg as ChangeOperation;
const home: string = dataDir;
const killAt = process.env['CARDDESK_TEST_KILL_AT'] ?? '';
const killAtCount = Number(process.env['CARDDESK_TEST_KILL_AT_COUNT'] ?? '1');
const action = changeAction[operation];

const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};
const print = (line: string): void => {
  writeSync(1, `${line}\n`);
};

async function main(): Promise<void> {
  const log = createDeskAuditLog(home);
  let events = 0;
  const trail: AuditTrail = {
    record: async (event: AuditEventInput) => {
      await log.record(event);
      if (killAt === 'event' && event.changeId !== undefined && event.recovered !== true && event.action === action && ++events === killAtCount) die();
    },
    changeEventsIn: (ids, sinceMs) => log.changeEventsIn(ids, sinceMs),
  };
  // Which operation's change the store is committing now (revoke and suspend issue one first).
  let current: ChangeOperation | null = null;
  let writes = 0;
  // The kill point "vault": right after the operation's journal line is on disk.
  const appendLines = async (fd: number, data: Buffer): Promise<void> => {
    await appendDurably(fd, data);
    if (killAt === 'vault' && current === operation && ++writes === killAtCount) die();
  };
  const services = createVaultServices({ dataDir: home, audit: trail, log: silentLogger, auditSigning: log, storage: { appendLines } });
  services.access.storage(); // opens the vault (and recovers) before the first operation
  await services.syncAudit();
  if (operation !== 'import' && operation !== 'card') await services.vault.unlockOrThrow(Buffer.from(PASSPHRASE), operator);


  const request = toPem(createRequest('CN=ignored', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey), 'CERTIFICATE REQUEST');
  const issue = (i: number) => services.certificates.issue({ profile: 'authentication', request, holderId: null, cardSerial: null, subject: `CN=Kill Test ${i}` }, operator);

  print('ready');
  for (let i = 0; ; i += 1) {
    switch (operation) {
      case 'import': {
        const rows = [0, 1, 2].map((k) => `${personalNumber(i * 3 + k)},First${i}-${k},Last${i}`);
        current = 'import';
        const result = await services.directory.importCsv(['personalNumber,firstName,lastName', ...rows].join('\n'), operator);
        if (!result.ok) throw new Error(`import ${i} was refused: ${JSON.stringify(result)}`);
        print(`ack import ${personalNumber(i * 3)}`);
        break;
      }
      case 'issue': {
        current = 'issue';
        print(`ack issue ${(await issue(i)).serial}`);
        break;
      }
      case 'revoke':
      case 'suspend': {
        current = null;
        const { serial } = await issue(i);
        current = operation;
        const result = operation === 'revoke' ? await services.certificates.revoke(serial, 'keyCompromise', operator) : await services.certificates.suspend(serial, 7, 'release', operator);
        if (!result.ok) throw new Error(`${operation} ${serial} was refused: ${result.reason}`);
        print(`ack ${operation} ${serial}`);
        break;
      }
      case 'card': {
        current = 'card';
        const card = await services.directory.registerCard(`KT-${String(i).padStart(6, '0')}`, null, operator);
        print(`ack card ${card.serial}`);
        break;
      }
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
