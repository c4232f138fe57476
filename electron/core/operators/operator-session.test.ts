/**
 * The desk's operator session as a state machine (issue 17 §2): bootstrap while no operator account
 * exists, signed out until a sign-in, signed in until sign-out, the idle time, the card leaving its
 * reader, or the operator's suspension; roles read fresh at every call. The card sign-in is a fake
 * here (it is tested on the real card stack in test/integration/operator-sign-in.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { operatorRoles } from '../../shared/enums';
import type { OperatorRecord } from '../../shared/schemas/operators';
import type { CardRemoval, OperatorSessionSummary } from '../../shared/schemas/operators';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { memoryLogger } from '../../../test/support/memory-logger';
import type { CardSignInResult } from './card-sign-in';
import type { OperatorLookup } from './operator-lookup';
import { OperatorSessions } from './operator-session';

function operator(id: string, fields: Partial<OperatorRecord> = {}): OperatorRecord {
  return { id, holderId: `h-${id}`, name: `Operator ${id}`, roles: ['helpdesk'], state: 'active', cards: [], createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', ...fields };
}

function rig(records: OperatorRecord[], signIn?: (reader: string, pin: Buffer) => CardSignInResult, settings: { cardRemoval: CardRemoval } = { cardRemoval: 'signOut' }) {
  const accounts = new Map(records.map((r) => [r.id, r]));
  const lookup: OperatorLookup = { byCertificate: () => null, byId: (id) => accounts.get(id) ?? null, bootstrapOver: () => accounts.size > 0 };
  const audit = new MemoryAuditTrail();
  const told: OperatorSessionSummary[] = [];
  const clock = { now: 1_000_000 };
  const pins: Buffer[] = [];
  const sessions = new OperatorSessions({
    lookup,
    signIn: (reader, pin) => {
      pins.push(pin);
      return Promise.resolve(signIn?.(reader, pin) ?? { ok: true, operator: accounts.get('op-1')!, cardSerial: '4711', certificateSerial: 'AB', reader });
    },
    osUser: 'deskuser',
    idleMinutes: () => 15,
    cardRemoval: () => settings.cardRemoval,
    audit,
    log: memoryLogger(),
    changed: (summary) => told.push(summary),
    now: () => clock.now,
  });
  return { sessions, accounts, audit, told, clock, pins };
}

describe('the operator session', () => {
  it('is the OS account with every role while no operator account exists (bootstrap)', async () => {
    const { sessions } = rig([]);
    expect(sessions.current()).toEqual({ operatorId: 'deskuser', roles: operatorRoles, cardSerial: null, osUser: 'deskuser' });
    expect(sessions.summary()).toEqual({ mode: 'bootstrap', operatorId: null, name: null, roles: [...operatorRoles], cardSerial: null });
    // Sign-out in bootstrap changes nothing, and the attempt is recorded.
    expect((await sessions.signOut()).mode).toBe('bootstrap');
    sessions.dispose();
  });

  it('is signed out once operators exist, signed in after a sign-in, and signed out again at sign-out', async () => {
    const { sessions, told, audit } = rig([operator('op-1', { roles: ['issuer', 'helpdesk'] })]);
    expect(sessions.current()).toBeNull();
    expect(sessions.summary()).toEqual({ mode: 'signedOut', operatorId: null, name: null, roles: [], cardSerial: null });
    const result = await sessions.signIn('Reader A', Buffer.from('123456'), 'desk');
    expect(result).toEqual({ ok: true, session: { mode: 'signedIn', operatorId: 'op-1', name: 'Operator op-1', roles: ['issuer', 'helpdesk'], cardSerial: '4711' } });
    expect(sessions.current()).toEqual({ operatorId: 'op-1', roles: ['issuer', 'helpdesk'], cardSerial: '4711', osUser: 'deskuser' });
    expect(told.at(-1)?.mode).toBe('signedIn');
    expect((await sessions.signOut()).mode).toBe('signedOut');
    expect(sessions.current()).toBeNull();
    expect(told.at(-1)?.mode).toBe('signedOut');
    expect(audit.events.at(-1)).toMatchObject({ action: 'operator.signedOut', outcome: 'success', reason: 'signOut', actor: { kind: 'operator', id: 'op-1' }, cardSerial: '4711', details: { osUser: 'deskuser' } });
    sessions.dispose();
  });

  it('stays signed out after a refused sign-in, and passes the refusal on', async () => {
    const { sessions, told } = rig([operator('op-1')], () => ({ ok: false, reason: 'wrongPin', triesLeft: 2, message: 'The PIN is wrong. 2 tries left.' }));
    expect(await sessions.signIn('Reader A', Buffer.from('000000'), 'desk')).toEqual({ ok: false, reason: 'wrongPin', triesLeft: 2, message: 'The PIN is wrong. 2 tries left.' });
    expect(sessions.current()).toBeNull();
    expect(told).toEqual([]);
    sessions.dispose();
  });

  it('reads the roles at every call: a role change applies at once, a suspension ends the session', async () => {
    const { sessions, accounts, audit } = rig([operator('op-1', { roles: ['helpdesk'] })]);
    await sessions.signIn('Reader A', Buffer.from('123456'), 'desk');
    accounts.set('op-1', operator('op-1', { roles: ['auditor'] }));
    expect(sessions.current()?.roles).toEqual(['auditor']);
    accounts.set('op-1', operator('op-1', { state: 'suspended' }));
    expect(sessions.current()).toBeNull();
    expect(audit.events.at(-1)).toMatchObject({ action: 'operator.signedOut', reason: 'operatorInactive' });
    // Reinstated, the operator must sign in again.
    accounts.set('op-1', operator('op-1'));
    expect(sessions.current()).toBeNull();
    sessions.dispose();
  });

  it('ends after the idle time without a counted call; a counted call restarts it', async () => {
    const { sessions, clock, audit } = rig([operator('op-1')]);
    await sessions.signIn('Reader A', Buffer.from('123456'), 'desk');
    clock.now += 14 * 60_000;
    expect(sessions.current(true)).not.toBeNull();
    clock.now += 14 * 60_000;
    // Not counted (an open channel such as readers:list polling): the idle time goes on.
    expect(sessions.current(false)).not.toBeNull();
    clock.now += 60_000;
    expect(sessions.current()).toBeNull();
    expect(audit.events.at(-1)).toMatchObject({ action: 'operator.signedOut', reason: 'idle' });
    sessions.dispose();
  });

  it('ends when the card leaves the reader it signed in with, not another', async () => {
    const { sessions, told } = rig([operator('op-1')]);
    await sessions.signIn('Reader A', Buffer.from('123456'), 'desk');
    sessions.cardRemoved('Reader B');
    expect(sessions.current()).not.toBeNull();
    sessions.cardRemoved('Reader A');
    expect(sessions.current()).toBeNull();
    expect(told.at(-1)).toMatchObject({ mode: 'signedOut' });
    sessions.dispose();
  });

  it('replaces the session at a second sign-in, and hands the PIN to the card sign-in only', async () => {
    const { sessions, accounts, audit, pins } = rig([operator('op-1'), operator('op-2', { roles: ['auditor'] })], (reader) => ({
      ok: true,
      operator: accounts.get(reader === 'Reader B' ? 'op-2' : 'op-1')!,
      cardSerial: reader === 'Reader B' ? '4712' : '4711',
      certificateSerial: 'AB',
      reader,
    }));
    await sessions.signIn('Reader A', Buffer.from('123456'), 'desk');
    await sessions.signIn('Reader B', Buffer.from('654321'), 'desk');
    expect(sessions.current()).toMatchObject({ operatorId: 'op-2', roles: ['auditor'], cardSerial: '4712' });
    expect(audit.events.at(-1)).toMatchObject({ action: 'operator.signedOut', reason: 'replaced', actor: { id: 'op-1' } });
    expect(pins.map((pin) => pin.toString())).toEqual(['123456', '654321']);
    expect(JSON.stringify(audit.events)).not.toMatch(/123456|654321/);
    // The card in the first reader no longer holds a session.
    sessions.cardRemoved('Reader A');
    expect(sessions.current()?.operatorId).toBe('op-2');
    sessions.dispose();
  });

  it('locks instead when the settings say so: nobody acts until the same operator signs in again, and the session goes on', async () => {
    const settings = { cardRemoval: 'lock' as CardRemoval };
    const { sessions, accounts, audit, told, clock } = rig(
      [operator('op-1', { roles: ['issuer'] }), operator('op-2', { roles: ['auditor'] })],
      (reader) => ({ ok: true, operator: accounts.get(reader === 'Reader B' ? 'op-2' : 'op-1')!, cardSerial: reader === 'Reader C' ? '4713' : '4711', certificateSerial: 'AB', reader }),
      settings,
    );
    await sessions.signIn('Reader A', Buffer.from('123456'), 'desk');
    sessions.cardRemoved('Reader A');
    expect(sessions.current()).toBeNull();
    expect(sessions.summary()).toEqual({ mode: 'locked', operatorId: 'op-1', name: 'Operator op-1', roles: [], cardSerial: null });
    expect(told.at(-1)).toMatchObject({ mode: 'locked', operatorId: 'op-1' });
    expect(audit.events.at(-1)).toMatchObject({ action: 'operator.signedOut', outcome: 'success', reason: 'locked', actor: { id: 'op-1' }, cardSerial: '4711' });
    const endings = audit.events.filter((e) => e.action === 'operator.signedOut').length;
    // The same operator back (here with another of their cards, in another reader): unlocked, not a new session.
    await sessions.signIn('Reader C', Buffer.from('123456'), 'desk');
    expect(sessions.current(true)).toMatchObject({ operatorId: 'op-1', roles: ['issuer'], cardSerial: '4713' });
    expect(audit.events.filter((e) => e.action === 'operator.signedOut').length).toBe(endings);
    expect(told.at(-1)).toMatchObject({ mode: 'signedIn', operatorId: 'op-1' });
    // Locked again, another operator signs in: the locked session ends (replaced) and theirs opens.
    sessions.cardRemoved('Reader C');
    await sessions.signIn('Reader B', Buffer.from('654321'), 'desk');
    expect(sessions.current()).toMatchObject({ operatorId: 'op-2', roles: ['auditor'] });
    expect(audit.events.filter((e) => e.action === 'operator.signedOut').at(-1)).toMatchObject({ reason: 'replaced', actor: { id: 'op-1' } });
    // A locked session still ends after the idle time.
    sessions.cardRemoved('Reader B');
    expect(sessions.summary().mode).toBe('locked');
    clock.now += 15 * 60_000;
    expect(sessions.summary().mode).toBe('signedOut');
    expect(audit.events.at(-1)).toMatchObject({ action: 'operator.signedOut', reason: 'idle', actor: { id: 'op-2' } });
    // The setting is read when the card leaves: back to sign-out.
    settings.cardRemoval = 'signOut';
    await sessions.signIn('Reader A', Buffer.from('123456'), 'desk');
    sessions.cardRemoved('Reader A');
    expect(sessions.summary().mode).toBe('signedOut');
    expect(audit.events.at(-1)).toMatchObject({ reason: 'cardRemoved' });
    sessions.dispose();
  });

  it('tells the renderer when the bootstrap ends by itself (the first administrator\'s card became valid), once', () => {
    const { sessions, accounts, told } = rig([]);
    expect(sessions.summary().mode).toBe('bootstrap');
    sessions.refresh();
    expect(told).toEqual([]);
    accounts.set('op-1', operator('op-1', { roles: ['caAdministrator'] }));
    sessions.refresh();
    expect(told).toEqual([{ mode: 'signedOut', operatorId: null, name: null, roles: [], cardSerial: null }]);
    sessions.refresh();
    expect(told).toHaveLength(1);
    sessions.dispose();
  });
});
