/**
 * "Everything writes": walks the contract and calls every channel that changes state through
 * `dispatch` on a real core (embedded virtual card, real audit log in a temporary data folder).
 * Each must leave at least one new event with its channel's action, and no PIN, PUK or key used
 * here may appear in any event. A write channel without a fixture below fails the test (and the
 * type check), so no future channel can slip through.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, type ChannelArgs, type ChannelName } from '../../electron/shared/contract';
import { dispatch } from '../../electron/core/api/dispatch';
import type { CallContext } from '../../electron/core/api/context';
import { queryPage } from '../../electron/core/audit/audit-queries';
import { writeChannelActions, type WriteChannel } from '../../electron/core/audit/write-audit';
import { silentLogger } from '../../electron/core/log/logger';
import { VIRTUAL_READER_NAME } from '../../electron/core/readers/virtual-reader';
import { FACTORY } from '../../electron/smartcard/piv';
import { allLines } from '../support/audit';
import { testCore } from '../support/test-core';
import { waitUntil } from '../support/wait';

const reader = VIRTUAL_READER_NAME;
const managementKeyHex = Buffer.from(FACTORY.MANAGEMENT_KEY).toString('hex');
/** Every secret a fixture hands over; none may reach the log. */
const secrets = [FACTORY.PIN, FACTORY.PUK, '80421357', '64209753', '31415926', 'S3cretTokenPin', managementKeyHex];

interface State {
  moduleId: string | null;
}

/** Valid arguments for each write channel, in the order they run (each prepares the next). */
const fixtures: { readonly [C in WriteChannel]: (state: State) => ChannelArgs<C> } = {
  'readers:removeVirtualCard': () => undefined,
  'readers:insertVirtualCard': () => undefined,
  'cards:verifyPin': () => ({ reader, pin: FACTORY.PIN }),
  'cards:changePin': () => ({ reader, currentPin: FACTORY.PIN, newPin: '80421357' }),
  'cards:changePuk': () => ({ reader, currentPuk: FACTORY.PUK, newPuk: '64209753' }),
  'cards:unblockPin': () => ({ reader, puk: '64209753', newPin: '31415926' }),
  'cards:setRetryCounters': () => ({ reader, pinTries: 5, pukTries: 4, pin: '31415926', puk: '64209753', managementKey: { kind: 'custom', algorithm: 'tdes', hex: managementKeyHex } }),
  'tokens:addModule': () => ({ name: 'Walker module', path: '/nonexistent/walker-pkcs11.so' }),
  'tokens:removeModule': (state) => ({ id: state.moduleId ?? 'missing' }),
  // No such module: the call fails, and the failed attempt is what gets recorded.
  'tokens:login': () => ({ moduleId: 'no-such-module', slotId: 0, pin: 'S3cretTokenPin' }),
  'audit:verify': () => undefined,
  'audit:exportCsv': () => ({ outcome: 'success' }),
};

const desk: CallContext = { surface: 'desk', transport: 'ipc' };
const core = testCore({ virtualReader: true });

beforeAll(async () => {
  await core.start();
  await waitUntil(() => core.readers.list().readers.some((r) => r.name === reader), 5000, 'the embedded virtual reader');
});

afterAll(() => core.dispose());

async function events() {
  const { index, reader: entries } = await core.audit.index();
  return queryPage(index, entries, { limit: 200, count: true });
}

describe('every state-changing channel', () => {
  it('has a fixture here', () => {
    const writes = (Object.keys(channels) as ChannelName[]).filter((name) => channels[name].effect === 'write');
    expect(writes.filter((name) => !(name in fixtures))).toEqual([]);
    expect(Object.keys(fixtures).sort()).toEqual([...writes].sort());
  });

  it('records an event with its action, and never a secret', async () => {
    const state: State = { moduleId: null };
    const outcomes: Record<string, string> = {};
    for (const [channel, fixture] of Object.entries(fixtures) as [WriteChannel, (s: State) => unknown][]) {
      const before = (await events()).total ?? 0;
      const result = await dispatch(core.handlers, channel, fixture(state), desk, silentLogger);
      if (channel === 'tokens:addModule' && result.ok) state.moduleId = (result.value as { id: string }).id;
      const after = await events();
      const added = after.entries.slice(0, (after.total ?? 0) - before);
      outcomes[channel] = result.ok ? 'ok' : result.error.code;
      expect(added.length, `${channel} recorded nothing (${outcomes[channel]})`).toBeGreaterThan(0);
      expect(added.map((e) => e.action), channel).toContain(writeChannelActions[channel]);
    }
    // The card and settings calls worked; only the login to a module that is not there failed.
    expect(Object.entries(outcomes).filter(([, outcome]) => outcome !== 'ok')).toEqual([['tokens:login', expect.any(String)]]);
    const { entries } = await events();
    expect(entries.find((e) => e.action === 'card.pinChange')).toMatchObject({ outcome: 'success', actor: { kind: 'operator' }, channel: 'desk', details: { reader } });

    // Every field of every record as written (hashes and signatures left out: they are not
    // fields anyone wrote, and hex digits could match a PIN by chance).
    const written = allLines(join(core.dataDir, 'audit'))
      .map((line) => {
        const { prev: _prev, hash: _hash, signature: _signature, publicKey: _publicKey, keyId: _keyId, ...fields } = JSON.parse(line.text) as Record<string, unknown>;
        return JSON.stringify(fields);
      })
      .join('\n');
    for (const secret of secrets) expect(written, `a secret reached the audit log`).not.toContain(secret);
    expect(readFileSync(join(core.dataDir, 'audit', 'head.json'), 'utf8')).not.toMatch(/80421357|31415926/);
  }, 60_000);
});
