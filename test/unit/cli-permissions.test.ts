/**
 * Issue 17 §3/§7 for the CLI: every command declares the permission it needs (a command missing
 * from the map fails here), the permissions agree with the channels doing the same work in the
 * desk's window, and the check refuses — with the reason, recorded — before a command acts.
 */
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, type ChannelName } from '../../electron/shared/contract';
import { channelPermissions } from '../../electron/shared/enums';
import type { OperatorRecord } from '../../electron/shared/schemas/operators';
import { buildProgram } from '../../electron/cli/program';
import { commandPath, commandPermissions, dualControlCommands } from '../../electron/cli/command-permissions';
import { authoriseCommand, currentBinding, sessionFileOf } from '../../electron/cli/cli-authorisation';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { silentLogger } from '../../electron/core/log/logger';
import { CliCredentials } from '../../electron/core/operators/cli-credentials';
import { DualControl } from '../../electron/core/operators/dual-control';
import type { OperatorLookup } from '../../electron/core/operators/operator-lookup';
import { createVaultServices, type VaultServices } from '../../electron/core/vault/vault-services';
import { operator, PASSPHRASE, tempHome } from '../support/vault-fixtures';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function leaves(command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap(leaves);
}

describe('the CLI permission map', () => {
  const commands = leaves(buildProgram()).map(commandPath);

  it('names a known permission for every command, and only for commands that exist', () => {
    for (const path of commands) expect(channelPermissions, path).toContain(commandPermissions[path]);
    expect(Object.keys(commandPermissions).filter((path) => !commands.includes(path))).toEqual([]);
  });

  it('asks what the desk channel doing the same work asks', () => {
    const same: [string, ChannelName][] = [
      ['card issue', 'cards:issue'],
      ['card replace', 'cards:replace'],
      ['card renew', 'cards:renew'],
      ['card retire', 'cards:retire'],
      ['card suspend', 'cards:suspend'],
      ['card resume', 'cards:resume'],
      ['card revoke', 'cards:revoke'],
      ['card reset-pin', 'cards:resetPin'],
      ['card unblock-response', 'cards:unblockResponse'],
      ['card report-lost', 'cards:reportLost'],
      ['card expiring', 'cards:expiring'],
      ['ca init', 'ca:init'],
      ['ca import', 'ca:import'],
      ['ca crl', 'ca:publishCrl'],
      ['ca list', 'certificates:list'],
      ['holder add', 'holders:create'],
      ['holder export', 'holders:exportCsv'],
      ['vault backup', 'vault:backup'],
      ['audit acknowledge-loss', 'audit:acknowledgeLoss'],
      ['notify test', 'notify:test'],
      ['mobile issue', 'mobile:issue'],
      ['mobile lock', 'mobile:lock'],
      ['mobile revoke', 'mobile:revoke'],
      ['mobile migrate', 'mobile:migrate'],
      ['listener set', 'settings:setNetworkListener'],
      ['contract template set', 'contracts:setTemplate'],
    ];
    for (const [command, channel] of same) expect(commandPermissions[command], `${command} vs ${channel}`).toBe(channels[channel].permission);
  });

  it('puts the dangerous commands of issue 17 §4 under two-person control, approved by a role that permits them', () => {
    expect(Object.keys(dualControlCommands).sort()).toEqual(['ca import', 'ca init', 'card replace', 'operator roles', 'vault passphrase', 'vault restore']);
    expect(dualControlCommands['card replace']?.approver).toBe('key.recover');
    for (const path of Object.keys(dualControlCommands)) expect(commands, path).toContain(path);
  });

  it('keeps the dangerous commands away from the helpdesk and the auditor (written from the issue, not the map)', () => {
    for (const path of ['ca init', 'ca import', 'vault restore', 'vault passphrase', 'credential issue', 'card issue']) {
      expect(['open', 'directory.read', 'card.service', 'audit.read']).not.toContain(commandPermissions[path]);
    }
  });
});

describe('authorising a command', () => {
  let services: VaultServices;
  const audit = new MemoryAuditTrail();
  const ada: OperatorRecord = { id: 'op-ada', holderId: 'h-1', name: 'Ada', roles: ['auditor'], state: 'active', cards: [], createdAt: '', updatedAt: '' };
  const operators = new Map<string, OperatorRecord>();
  const lookup: OperatorLookup = { byCertificate: () => null, byId: (id) => operators.get(id) ?? null, bootstrapOver: () => operators.size > 0 };
  let dataDir: string;
  const request = (command: string, credentialFile: string | null = null) => ({ command, permission: commandPermissions[command] ?? 'open', credentialFile, dataDir, osOperation: operator });
  const vault = () => ({ access: services.access, audit, operators: lookup });

  beforeAll(async () => {
    dataDir = tempHome();
    services = createVaultServices({ dataDir, audit, log: silentLogger });
    await services.vault.init(Buffer.from(PASSPHRASE), operator);
  });
  afterAll(() => services.close());

  it('lets the OS account do everything while no operator exists (the first-run bootstrap)', async () => {
    for (const path of ['card issue', 'ca init', 'credential issue']) expect(await authoriseCommand(request(path), vault())).toEqual({ session: null, approvedBy: null });
  });

  it('refuses without a credential once operators exist, and says how to sign in', async () => {
    operators.set(ada.id, ada);
    await expect(authoriseCommand(request('card issue'), vault())).rejects.toMatchObject({ code: 'NOT_PERMITTED', message: expect.stringContaining('carddesk signin') });
    expect(audit.events.at(-1)).toMatchObject({ action: 'operator.denied', channel: 'cli', details: { command: 'card issue', needs: 'card.issue', credential: 'none' } });
    await expect(authoriseCommand(request('card issue', join(dataDir, 'missing')), vault())).rejects.toMatchObject({ code: 'NOT_PERMITTED' });
    expect(await authoriseCommand(request('readers'), vault())).toEqual({ session: null, approvedBy: null });
  });

  it("holds a signed-in operator's session to their roles and names them", async () => {
    const { secret } = await new CliCredentials(services.access, audit, lookup).openSession({ operatorId: ada.id, name: ada.name, cardSerial: 'CD-9', boundTo: currentBinding() }, operator);
    mkdirSync(join(dataDir, 'cli-sessions'), { recursive: true });
    writeFileSync(sessionFileOf(dataDir), secret, { mode: 0o600 });
    await expect(authoriseCommand(request('card issue'), vault())).rejects.toMatchObject({ code: 'NOT_PERMITTED', message: 'carddesk card issue needs the issuer role.' });
    expect(audit.events.at(-1)).toMatchObject({ action: 'operator.denied', details: { operator: 'op-ada', roles: 'auditor' } });
    expect(await authoriseCommand(request('holder list'), vault())).toEqual({ session: { operatorId: 'op-ada', roles: ['auditor'] }, approvedBy: null });
  });

  it('puts a dangerous command under two-person control: a code for a second operator, then one run naming both', async () => {
    const bob: OperatorRecord = { ...ada, id: 'op-bob', name: 'Bob', roles: ['caAdministrator'] };
    operators.set(bob.id, bob);
    operators.set(ada.id, { ...ada, roles: ['caAdministrator'] });
    const adaFile = join(dataDir, 'ada.session');
    const bobFile = join(dataDir, 'bob.session');
    const issuer = new CliCredentials(services.access, audit, lookup);
    writeFileSync(adaFile, (await issuer.openSession({ operatorId: 'op-ada', name: 'Ada', cardSerial: 'CD-1', boundTo: currentBinding() }, operator)).secret);
    writeFileSync(bobFile, (await issuer.openSession({ operatorId: 'op-bob', name: 'Bob', cardSerial: 'CD-2', boundTo: currentBinding() }, operator)).secret);
    const restore = (file: string, code: string | null) => ({ ...request('vault restore', file), dual: { action: 'vault.restore' as const, approver: 'ca.admin' as const, summary: 'vault restore b.cdvault {}', code } });

    const first = await authoriseCommand(restore(adaFile, null), vault()).catch((error: unknown) => error as Error & { code: string });
    expect(first).toMatchObject({ code: 'APPROVAL_REQUIRED', message: expect.stringContaining('carddesk approve') });
    const code = /Approval code: (\S+)/.exec((first as Error).message)?.[1] ?? '';
    await expect(authoriseCommand(restore(adaFile, code), vault())).rejects.toMatchObject({ message: expect.stringContaining('not been approved') });

    const dual = new DualControl(services.access, audit);
    expect(await dual.approve(code, { operatorId: 'op-ada', roles: ['caAdministrator'] }, operator)).toEqual({ ok: false, reason: 'ownRequest' });
    expect((await dual.approve(code, { operatorId: 'op-bob', roles: ['caAdministrator'] }, operator)).ok).toBe(true);
    await expect(authoriseCommand({ ...restore(adaFile, code), dual: { ...restore(adaFile, code).dual, summary: 'vault restore other.cdvault {}' } }, vault())).rejects.toMatchObject({ message: expect.stringContaining('another action') });
    expect(await authoriseCommand(restore(adaFile, code), vault())).toEqual({ session: { operatorId: 'op-ada', roles: ['caAdministrator'] }, approvedBy: 'op-bob' });
    await expect(authoriseCommand(restore(adaFile, code), vault())).rejects.toMatchObject({ message: expect.stringContaining('used already') });
    operators.set(ada.id, ada);
    operators.delete(bob.id);
  });

  it('lets no automation credential ask for or give a second approval', async () => {
    const { secret } = await new CliCredentials(services.access, audit, lookup).issueAutomation({ name: 'restore-job', roles: ['caAdministrator'], validityDays: 1 }, operator);
    const file = join(dataDir, 'restore-job.credential');
    writeFileSync(file, secret);
    const dual = { action: 'vault.restore' as const, approver: 'ca.admin' as const, summary: 'vault restore b.cdvault {}', code: null };
    await expect(authoriseCommand({ ...request('vault restore', file), dual }, vault())).rejects.toMatchObject({ code: 'NOT_PERMITTED', message: expect.stringContaining('not an automation credential') });
  });

  it('holds an automation credential to the roles it was issued with', async () => {
    const { secret } = await new CliCredentials(services.access, audit, lookup).issueAutomation({ name: 'crl-job', roles: ['caAdministrator'], validityDays: 1 }, operator);
    const file = join(dataDir, 'crl-job.credential');
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    expect(await authoriseCommand(request('ca crl', file), vault())).toEqual({ session: { operatorId: 'automation:crl-job', roles: ['caAdministrator'] }, approvedBy: null });
    await expect(authoriseCommand(request('card revoke', file), vault())).rejects.toMatchObject({ message: 'carddesk card revoke needs the issuer role.' });
    writeFileSync(file, 'carddesk-credential-1.garbage\n');
    await expect(authoriseCommand(request('ca crl', file), vault())).rejects.toMatchObject({ message: 'The credential is not a CardDesk credential.' });
  });
});
