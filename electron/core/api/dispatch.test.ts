import { describe, expect, it, vi } from 'vitest';
import { CardDeskError } from '../../shared/errors';
import type { Logger } from '../log/logger';
import type { CallContext } from './context';
import { dispatch } from './dispatch';
import type { ContractHandlers } from './handlers';
import { stubHandlers } from '../../../test/support/stub-handlers';

const desk: CallContext = { surface: 'desk', transport: 'ipc' };
const appInfo = { name: 'CardDesk', version: '1.2.3', dataDir: '/data', mode: 'browser', surface: 'desk', platform: 'linux' } as const;

function setup(overrides: Partial<ContractHandlers> = {}) {
  const log: Logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const handlers: ContractHandlers = stubHandlers({
    'app:info': () => appInfo,
    'readers:list': () => ({ service: { status: 'running', detail: null, retryAt: null }, readers: [] }),
    ...overrides,
  });
  return { log, handlers };
}

describe('dispatch', () => {
  it('calls the handler with parsed arguments and returns its value', async () => {
    const { handlers, log } = setup();
    await expect(dispatch(handlers, 'app:info', undefined, desk, log)).resolves.toEqual({ ok: true, value: appInfo });
  });

  it('refuses a channel that is not in the contract', async () => {
    const { handlers, log } = setup();
    const result = await dispatch(handlers, 'vault:dump', undefined, desk, log);
    expect(result).toEqual({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: expect.stringContaining('vault:dump') } });
  });

  it.each([[{ a: 1 }], ['x'], [0], [null], [[]]])('refuses malformed arguments %j before any handler runs', async (args) => {
    const handler = vi.fn(() => appInfo);
    const { handlers, log } = setup({ 'app:info': handler });
    const result = await dispatch(handlers, 'app:info', args, desk, log);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENTS' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('does not look up inherited properties as channels', async () => {
    const { handlers, log } = setup();
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(await dispatch(handlers, name, undefined, desk, log)).toMatchObject({ error: { code: 'UNKNOWN_CHANNEL' } });
    }
  });

  it('turns a CardDeskError into its code and message', async () => {
    const { handlers, log } = setup({
      'readers:list': () => {
        throw new CardDeskError('PCSC_UNAVAILABLE', 'The smart-card service is not reachable.');
      },
    });
    expect(await dispatch(handlers, 'readers:list', undefined, desk, log)).toEqual({
      ok: false,
      error: { code: 'PCSC_UNAVAILABLE', message: 'The smart-card service is not reachable.' },
    });
  });

  it('hides the text of unexpected errors from the caller and logs them', async () => {
    const { handlers, log } = setup({
      'app:info': () => {
        throw new Error('secret path /home/x/.vault: EACCES');
      },
    });
    const result = await dispatch(handlers, 'app:info', undefined, desk, log);
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(result)).not.toContain('EACCES');
    expect(log.error).toHaveBeenCalledOnce();
  });

  it('refuses a result that does not match the contract', async () => {
    const { handlers, log } = setup({ 'app:info': () => ({ ...appInfo, mode: 'toaster' }) as never });
    expect(await dispatch(handlers, 'app:info', undefined, desk, log)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('drops fields the contract does not name, so nothing extra reaches the renderer', async () => {
    const { handlers, log } = setup({ 'app:info': () => ({ ...appInfo, vaultKey: 'a1b2' }) as never });
    const result = await dispatch(handlers, 'app:info', undefined, desk, log);
    expect(result).toEqual({ ok: true, value: appInfo });
  });
});
