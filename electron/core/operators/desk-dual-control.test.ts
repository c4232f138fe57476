import { describe, expect, it } from 'vitest';
import type { ChannelName } from '../../shared/contract';
import { CardDeskError } from '../../shared/errors';
import type { CallContext } from '../api/context';
import type { ContractHandlers } from '../api/handlers';
import type { AuditLog } from '../audit/audit-log';
import { deskDualChannels, nameApproversInEvents, requireDualControl } from './desk-dual-control';
import type { ApprovalRecord, DualControl } from './dual-control';
import type { OperatorLookup } from './operator-lookup';

/** Arguments each dual-controlled channel is called with (as parsed: no secrets are summarised). */
const sample: Record<string, unknown> = {
  'ca:init': { algorithm: 'p384', rootSubject: 'CN=Root', issuingSubject: 'CN=Issuing', rootValidityYears: 20, issuingValidityYears: 10, publicBaseUrl: null },
  'ca:import': { pkcs12: 'AAAA', password: 'secret-p12-password', publicBaseUrl: null },
  'cards:replace': { reader: 'Reader 0', lostSerial: '12345678' },
  'vault:restore': { fileName: 'vault-2026.cdbackup', passphrase: 'secret passphrase' },
  'operators:setRoles': { id: 'op-b', roles: ['auditor'] },
};
const dualChannels = Object.keys(deskDualChannels) as ChannelName[];
const desk: CallContext = { surface: 'desk', transport: 'ipc', operator: { operatorId: 'op-a' } };

function setUp(bootstrapOver: boolean, approved: Partial<ApprovalRecord> | null) {
  const ran: string[] = [];
  const requests: { action: string; summary: string; permission: string }[] = [];
  const audit = { actorDetails: null } as unknown as AuditLog;
  nameApproversInEvents(audit);
  const seen: Record<string, unknown> = {};
  const handlers = Object.fromEntries(
    dualChannels.map((channel) => [
      channel,
      () => {
        ran.push(channel);
        seen[channel] = audit.actorDetails?.({ kind: 'operator', id: 'op-a' });
        return 'done';
      },
    ]),
  ) as unknown as ContractHandlers;
  const lookup: OperatorLookup = { bootstrapOver: () => bootstrapOver, byId: () => null, byCertificate: () => null };
  const control = {
    useApproved: (input: { action: string; summary: string }) => Promise.resolve(approved === null ? null : ({ id: 'req-1', ...input, ...approved } as ApprovalRecord)),
    request: (input: { action: string; summary: string; permission: string }) => {
      requests.push(input);
      return Promise.resolve({ id: '6f1c3f4e-2b1a-4c5d-8e9f-0a1b2c3d4e5f', code: 'XXXXX-XXXXX', expiresAt: '2026-12-07T23:00:00.000Z' });
    },
  } as unknown as DualControl;
  const wrapped = requireDualControl(handlers, { lookup, control: () => control, osUser: 'os-user' });
  const call = (channel: ChannelName, context: CallContext = desk) => (wrapped[channel] as (a: unknown, c: CallContext) => Promise<unknown>)(sample[channel], context);
  return { ran, requests, seen, call };
}

describe('the desk channels under two-person control', () => {
  it('cover CA creation and import, replacement with key recovery, vault restore and role changes', () => {
    expect(dualChannels.sort()).toEqual(['ca:import', 'ca:init', 'cards:replace', 'operators:setRoles', 'vault:restore']);
  });

  it.each(dualChannels)('%s refuses with APPROVAL_REQUIRED (and a request) once the bootstrap is over', async (channel) => {
    const { ran, requests, call } = setUp(true, null);
    const error = await call(channel).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CardDeskError);
    expect((error as CardDeskError).code).toBe('APPROVAL_REQUIRED');
    expect((error as CardDeskError).approval).toMatchObject({ requestId: '6f1c3f4e-2b1a-4c5d-8e9f-0a1b2c3d4e5f', action: deskDualChannels[channel]?.action });
    expect(ran).toEqual([]);
    expect(requests).toHaveLength(1);
    // The summary the approver reads never holds a secret argument.
    expect(requests[0]!.summary).not.toMatch(/secret/);
  });

  it.each(dualChannels)('%s runs without an approval in the first-run bootstrap', async (channel) => {
    const { ran, requests, call } = setUp(false, null);
    await expect(call(channel)).resolves.toBe('done');
    expect(ran).toEqual([channel]);
    expect(requests).toEqual([]);
  });

  it.each(dualChannels)('%s runs once approved, and its events name both operators and the approving card', async (channel) => {
    const { ran, seen, call } = setUp(true, { requestedBy: 'op-a', approvedBy: 'op-b', approverCard: '87654321' });
    await expect(call(channel)).resolves.toBe('done');
    expect(ran).toEqual([channel]);
    expect(seen[channel]).toMatchObject({ requestedBy: 'op-a', approvedBy: 'op-b', approverCard: '87654321', approval: 'req-1' });
  });

  it('refuses a call without a signed-in operator out of the bootstrap', async () => {
    const { ran, call } = setUp(true, null);
    await expect(call('operators:setRoles', { surface: 'desk', transport: 'ipc' })).rejects.toMatchObject({ code: 'NOT_PERMITTED' });
    expect(ran).toEqual([]);
  });
});
