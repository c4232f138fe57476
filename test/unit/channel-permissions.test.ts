/**
 * Issue 17 §3/§7: every channel of the contract under every operator role. The channel's declared
 * permission and the roles' grants decide; a refusal happens before the service is reached, says
 * which role is needed, and is recorded. Spot checks written from the issue's role descriptions
 * (not from the map) make the table able to fail when the map is wrong.
 */
import { describe, expect, it } from 'vitest';
import { channelNames, channels, type ChannelName } from '../../electron/shared/contract';
import { channelPermissions, operatorRoles } from '../../electron/shared/enums';
import { CardDeskError } from '../../electron/shared/errors';
import { rolePermissions, type OperatorRole } from '../../electron/shared/permissions';
import type { CallContext } from '../../electron/core/api/context';
import type { ContractHandlers } from '../../electron/core/api/handlers';
import { MemoryAuditTrail } from '../../electron/core/audit/audit-trail';
import { localOperatorSession, requirePermissions, type OperatorSession } from '../../electron/core/operators/permission-check';
import { memoryLogger } from '../support/memory-logger';

const desk: CallContext = { surface: 'desk', transport: 'ipc' };
const kiosk: CallContext = { surface: 'kiosk', transport: 'websocket' };
const REACHED = Symbol('reached');

function rig(session: OperatorSession | null) {
  const audit = new MemoryAuditTrail();
  const events = audit.events;
  const reached: string[] = [];
  const handlers: Record<string, unknown> = {};
  for (const channel of channelNames) handlers[channel] = () => (reached.push(channel), REACHED);
  const wrapped = requirePermissions(handlers as unknown as ContractHandlers, () => session, audit, memoryLogger());
  const call = (channel: ChannelName, context: CallContext = desk) => (wrapped[channel] as (a: unknown, c: CallContext) => Promise<unknown>)(undefined, context);
  return { events, reached, call };
}

const deskChannels = channelNames.filter((channel) => (channels[channel].surfaces as readonly string[]).includes('desk'));

describe('the permission map', () => {
  it('names a known permission for every channel; kiosk-only channels are the holder\u2019s, desk channels never', () => {
    for (const channel of channelNames) {
      const spec = channels[channel];
      expect(channelPermissions, channel).toContain(spec.permission);
      const kioskOnly = spec.surfaces.length === 1 && spec.surfaces[0] === 'kiosk';
      expect(spec.permission === 'holderSelf', channel).toBe(kioskOnly);
    }
  });

  it('gives every role something, and every operator permission to some role', () => {
    for (const role of operatorRoles) expect(rolePermissions[role].length, role).toBeGreaterThan(0);
    for (const permission of channelPermissions.filter((p) => p !== 'open' && p !== 'holderSelf' && p !== 'key.recover')) {
      expect(operatorRoles.some((role) => rolePermissions[role].includes(permission)), permission).toBe(true);
    }
  });
});

describe.each(operatorRoles.map((role) => [role] as const))('an operator with only the %s role', (role: OperatorRole) => {
  it('reaches exactly the desk channels the map permits and is refused, with a reason and an event, for the rest', async () => {
    const { events, reached, call } = rig({ operatorId: 'op-1', roles: [role] });
    for (const channel of deskChannels) {
      const permission = channels[channel].permission;
      const allowed = permission === 'open' || rolePermissions[role].includes(permission);
      const before = events.length;
      if (allowed) {
        await expect(call(channel), channel).resolves.toBe(REACHED);
        expect(events.length, channel).toBe(before);
      } else {
        const refusal = await call(channel).then(() => null, (error: unknown) => error);
        expect(refusal, channel).toBeInstanceOf(CardDeskError);
        expect((refusal as CardDeskError).code).toBe('NOT_PERMITTED');
        expect((refusal as CardDeskError).message).toMatch(/needs the .+ role/);
        expect(events.at(-1), channel).toMatchObject({ action: 'operator.denied', outcome: 'failure', reason: 'NOT_PERMITTED', actor: { kind: 'operator', id: 'op-1' }, details: { channel, needs: permission, roles: role } });
      }
    }
    expect(new Set(reached)).toEqual(new Set(deskChannels.filter((c) => channels[c].permission === 'open' || rolePermissions[role].includes(channels[c].permission))));
  });
});

describe('what the issue says each role does', () => {
  const may = async (roles: OperatorRole[], channel: ChannelName) => rig({ operatorId: 'op', roles }).call(channel).then(() => true, () => false);
  it.each<[OperatorRole, ChannelName, boolean]>([
    ['helpdesk', 'holders:update', true],
    ['helpdesk', 'cards:unblockPin', true],
    ['helpdesk', 'cards:resetPin', true],
    ['helpdesk', 'cards:suspend', true],
    ['helpdesk', 'cards:resume', true],
    ['helpdesk', 'cards:issue', false],
    ['helpdesk', 'ca:publishCrl', false],
    ['issuer', 'cards:issue', true],
    ['issuer', 'cards:replace', true],
    ['issuer', 'cards:renew', true],
    ['issuer', 'cards:retire', true],
    ['issuer', 'cards:unblockPin', false],
    ['issuer', 'ca:init', false],
    ['caAdministrator', 'ca:init', true],
    ['caAdministrator', 'ca:publishCrl', true],
    ['caAdministrator', 'ca:startOcsp', true],
    ['caAdministrator', 'cards:updatePolicy', true],
    ['caAdministrator', 'settings:setNetworkListener', true],
    ['caAdministrator', 'cards:issue', false],
    // Operator accounts (§1, §6 Settings → Operators): the CA administrator's, listing included.
    ['caAdministrator', 'operators:add', true],
    ['caAdministrator', 'operators:setRoles', true],
    ['caAdministrator', 'operators:list', true],
    ['helpdesk', 'operators:add', false],
    ['issuer', 'operators:setRoles', false],
    ['auditor', 'operators:list', false],
    ['auditor', 'audit:query', true],
    ['auditor', 'audit:verify', true],
    ['auditor', 'holders:search', true],
    ['auditor', 'holders:update', false],
    ['auditor', 'cards:suspend', false],
    ['kioskManager', 'settings:setKiosk', true],
    ['kioskManager', 'holders:search', false],
    ['keyRecoveryOfficer', 'holders:update', false],
  ])('%s → %s: %s', async (role, channel, expected) => {
    expect(await may([role], channel)).toBe(expected);
  });

  it('lets several roles add up', async () => {
    expect(await may(['helpdesk', 'issuer'], 'cards:issue')).toBe(true);
    expect(await may(['helpdesk', 'issuer'], 'cards:unblockPin')).toBe(true);
  });

  it('names the roles a refused action needs', async () => {
    const refusal = await rig({ operatorId: 'op', roles: ['auditor'] }).call('cards:issue').catch((error: unknown) => error);
    expect((refusal as Error).message).toBe('cards:issue needs the issuer role.');
  });
});

describe('calls that are not an operator\u2019s', () => {
  it('without a signed-in operator only the open channels answer', async () => {
    const { call, events } = rig(null);
    await expect(call('app:info')).resolves.toBe(REACHED);
    await expect(call('vault:unlock')).resolves.toBe(REACHED);
    await expect(call('holders:search')).rejects.toMatchObject({ code: 'NOT_PERMITTED', message: expect.stringMatching(/sign in/) });
    expect(events.at(-1)).toMatchObject({ action: 'operator.denied', details: { channel: 'holders:search' } });
  });

  it('kiosk calls are decided by the kiosk\u2019s holder session, not by operator roles', async () => {
    const { call, events } = rig(null);
    for (const channel of channelNames.filter((c) => (channels[c].surfaces as readonly string[]).includes('kiosk'))) await expect(call(channel, kiosk), channel).resolves.toBe(REACHED);
    expect(events).toEqual([]);
  });

  it('the desk before operator sign-in acts as the OS account with every role: nothing it did before is refused', async () => {
    const { call } = rig(localOperatorSession('alice'));
    for (const channel of deskChannels) await expect(call(channel), channel).resolves.toBe(REACHED);
  });
});
