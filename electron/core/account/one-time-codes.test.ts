/**
 * One-time codes with the real record store in a temporary folder, a controlled clock and a
 * recording NotificationQueue (the real outbox is the notify part's): the code goes out in the
 * same commit as its record, the record holds only a salted hash, and a code works once, for 10
 * minutes, within 5 tries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/support/vault-fixtures';
import type { AuditEventInput } from '../audit/audit-trail';
import type { RecordChange } from '../vault/record-store';
import { RecordingQueue, TEST_OUTBOX as OUTBOX } from '../../../test/support/recording-queue';
import { VaultAccess } from '../vault/vault-access';
import { ONE_TIME_CODES, VaultOneTimeCodes, type OneTimeCodeRecord } from './one-time-codes';

const op = { actor: { kind: 'holder', id: 'h-1' }, channel: 'kiosk' } as const;

const accesses: VaultAccess[] = [];
afterEach(async () => {
  for (const access of accesses.splice(0)) await access.close();
});

function rig(start = Date.parse('2026-12-07T00:00:00Z')) {
  const access = new VaultAccess(tempHome());
  accesses.push(access);
  let now = start;
  const commits: { changes: readonly RecordChange[]; event: AuditEventInput }[] = [];
  const recorder = {
    commit: async (changes: readonly RecordChange[], event: AuditEventInput) => {
      commits.push({ changes, event });
      await access.storage().records.commit(changes);
    },
  };
  const queue = new RecordingQueue();
  const codes = new VaultOneTimeCodes({ access, recorder, queue, now: () => now });
  return { access, codes, queue, commits, advance: (ms: number) => (now += ms) };
}

const request = { holderId: 'h-1', purpose: 'recoveryCodeUse', channel: 'email', to: 'ana@example.org', language: 'en' } as const;
const expected = { holderId: 'h-1', purpose: 'recoveryCodeUse' } as const;

describe('one-time codes', () => {
  it('sends six random digits in the same commit as a record holding only a salted hash, then wakes the sender', async () => {
    const { codes, queue, commits, access } = rig();
    const { codeId, expiresAt } = await codes.send(request, op);
    expect(expiresAt).toBe('2026-12-07T00:10:00.000Z');
    const message = queue.queuedRequests[0]!;
    expect(message).toMatchObject({ kind: 'oneTimeCode', holderId: 'h-1', channel: 'email', to: 'ana@example.org', language: 'en' });
    const code = message.params.code!;
    expect(code).toMatch(/^\d{6}$/);
    expect(queue.wakes).toBe(1);
    // One commit: the code's record and the outbox message together.
    expect(commits).toHaveLength(1);
    expect(commits[0]!.changes.map((change) => change.collection).sort()).toEqual([ONE_TIME_CODES, OUTBOX].sort());
    const stored = access.storage().records.get<OneTimeCodeRecord>(ONE_TIME_CODES, codeId)!;
    expect(JSON.stringify(stored)).not.toContain(code);
    expect(JSON.stringify(commits[0]!.event)).not.toContain(code);
    expect(stored.salt).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    // A second code for the same holder has its own salt.
    await codes.send(request, op);
    const salts = [...access.storage().records.values<OneTimeCodeRecord>(ONE_TIME_CODES)].map((r) => r.salt);
    expect(new Set(salts).size).toBe(2);
  });

  it('accepts the right code once, and a second use is refused as used', async () => {
    const { codes, queue } = rig();
    const { codeId } = await codes.send(request, op);
    const code = queue.queuedRequests[0]!.params.code!;
    expect(await codes.check(codeId, expected, code, op)).toBe('ok');
    expect(await codes.check(codeId, expected, code, op)).toBe('used');
  });

  it('counts every try: after 5 (wrong ones) even the right code is refused', async () => {
    const { codes, queue, commits } = rig();
    const { codeId } = await codes.send(request, op);
    const code = queue.queuedRequests[0]!.params.code!;
    const wrong = code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i += 1) expect(await codes.check(codeId, expected, wrong, op)).toBe('wrong');
    expect(await codes.check(codeId, expected, code, op)).toBe('exhausted');
    for (const commit of commits) expect(JSON.stringify(commit.event)).not.toContain(code);
  });

  it('a right code on the fifth try still works; the sixth try of any kind is refused', async () => {
    const { codes, queue } = rig();
    const { codeId } = await codes.send(request, op);
    const code = queue.queuedRequests[0]!.params.code!;
    const wrong = code === '999999' ? '999998' : '999999';
    for (let i = 0; i < 4; i += 1) expect(await codes.check(codeId, expected, wrong, op)).toBe('wrong');
    expect(await codes.check(codeId, expected, code, op)).toBe('ok');
  });

  it('expires after 10 minutes (by the controlled clock)', async () => {
    const { codes, queue, advance } = rig();
    const { codeId } = await codes.send(request, op);
    const code = queue.queuedRequests[0]!.params.code!;
    advance(10 * 60_000 - 1);
    const second = await codes.send(request, op);
    advance(1);
    expect(await codes.check(codeId, expected, code, op)).toBe('expired');
    // The other code, made later, still lives.
    expect(await codes.check(second.codeId, expected, queue.queuedRequests[1]!.params.code!, op)).toBe('ok');
  });

  it('answers unknown for another holder, another purpose or no such code', async () => {
    const { codes, queue } = rig();
    const { codeId } = await codes.send(request, op);
    const code = queue.queuedRequests[0]!.params.code!;
    expect(await codes.check(codeId, { holderId: 'h-2', purpose: 'recoveryCodeUse' }, code, op)).toBe('unknown');
    expect(await codes.check(codeId, { holderId: 'h-1', purpose: 'lostInfo' }, code, op)).toBe('unknown');
    expect(await codes.check('nope', expected, code, op)).toBe('unknown');
    expect(await codes.check(codeId, expected, ` ${code.slice(0, 3)} ${code.slice(3)} `, op)).toBe('ok');
  });

  it('lets only one of two checks made at the same moment pass', async () => {
    const { codes, queue } = rig();
    const { codeId } = await codes.send(request, op);
    const code = queue.queuedRequests[0]!.params.code!;
    const results = await Promise.all([codes.check(codeId, expected, code, op), codes.check(codeId, expected, code, op)]);
    expect(results.sort()).toEqual(['ok', 'used']);
  });

  it('draws codes from the whole range (not a fixed value)', async () => {
    const { codes, queue } = rig();
    for (let i = 0; i < 20; i += 1) await codes.send(request, op);
    expect(new Set(queue.queuedRequests.map((r) => r.params.code)).size).toBeGreaterThan(15);
  });
});
