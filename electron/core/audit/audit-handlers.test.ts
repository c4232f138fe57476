/** The audit channels through dispatch: who may read what, and that verify and export are recorded. */
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger';
import type { CallContext } from '../api/context';
import { dispatch } from '../api/dispatch';
import { testCore } from '../../../test/support/test-core';
import { sampleEvent } from '../../../test/support/audit';

const core = testCore();
const desk: CallContext = { surface: 'desk', transport: 'ipc' };
const kiosk: CallContext = { surface: 'kiosk', transport: 'ipc' };
const call = (channel: string, args: unknown, context = desk) => dispatch(core.handlers, channel, args, context, silentLogger);

afterAll(() => core.dispose());

describe('the audit channels', () => {
  it('give a holder summary at the desk, and nothing at a kiosk (it has kiosk:history, bound to its session)', async () => {
    for (let i = 0; i < 6; i += 1) await core.audit.record(sampleEvent(i, { holderId: 'H-7' }));
    expect(await call('audit:holderSummary', { holderId: 'H-7' })).toMatchObject({ ok: true, value: { holderId: 'H-7', total: 6, failed: 2, successful: 4 } });
    expect(await call('audit:holderSummary', { holderId: 'H-7' }, kiosk)).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SURFACE' } });
    expect(await call('kiosk:history', {}, kiosk)).toMatchObject({ ok: false, error: { code: 'SESSION_ENDED' } });
    expect(await call('audit:query', {}, kiosk)).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SURFACE' } });
  });

  it('refuse pages larger than 200 and malformed dates', async () => {
    expect(await call('audit:query', { limit: 201 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    expect(await call('audit:query', { from: 'yesterday' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    expect(await call('audit:exportCsv', { actions: ['card.teleport'] })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
  });

  it('keep the last verification, and record each verification and export', async () => {
    expect(await call('audit:integrity', undefined)).toEqual({ ok: true, value: null });
    const verified = await call('audit:verify', undefined);
    expect(verified).toMatchObject({ ok: true, value: { intact: true, problemCount: 0 } });
    expect(await call('audit:integrity', undefined)).toEqual(verified);
    const exported = await call('audit:exportCsv', { holderId: 'H-7', outcome: 'failure' });
    expect(exported).toMatchObject({ ok: true, value: { rows: 2, truncated: false, fileName: expect.stringMatching(/\.csv$/) } });
    const page = await call('audit:query', { actions: ['audit.verify', 'audit.export'], limit: 10 });
    expect(page).toMatchObject({
      ok: true,
      value: {
        entries: [
          { action: 'audit.export', outcome: 'success', actor: { kind: 'operator' }, channel: 'desk', details: { rows: 2, 'filter.holderId': 'H-7', 'filter.outcome': 'failure' } },
          { action: 'audit.verify', outcome: 'success', details: { problems: 0 } },
        ],
      },
    });
  });

  it('push audit:appended (with no event in it) when events arrive', async () => {
    const heard: unknown[] = [];
    const stop = core.events.subscribe((name, payload) => {
      if (name === 'audit:appended') heard.push(payload);
    });
    await core.audit.record(sampleEvent(99));
    stop();
    expect(heard).toEqual([{ lastSeq: core.audit.lastSeq, count: 1 }]);
  });
});
