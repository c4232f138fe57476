import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/carddesk';
import { CommandRunner, type CommandState } from './commandRunner';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('the command runner behind useCommand', () => {
  it('is busy while the command runs and returns its result', async () => {
    const states: CommandState[] = [];
    const pending = deferred<number>();
    const runner = new CommandRunner((n: number) => pending.promise.then((v) => v + n), (s) => states.push(s));
    const result = runner.run(1);
    expect(states).toEqual([{ busy: true, error: null }]);
    pending.resolve(41);
    expect(await result).toBe(42);
    expect(states.at(-1)).toEqual({ busy: false, error: null });
  });

  it('turns a failure into its CardDeskError code, never its message, and resolves to undefined', async () => {
    const states: CommandState[] = [];
    const runner = new CommandRunner(() => Promise.reject(new ApiError('VAULT_LOCKED', 'passphrase hunter2 was wrong')), (s) => states.push(s));
    expect(await runner.run()).toBeUndefined();
    expect(states.at(-1)).toEqual({ busy: false, error: 'VAULT_LOCKED' });
    expect(JSON.stringify(states)).not.toContain('hunter2');
  });

  it('calls an unexpected throw INTERNAL', async () => {
    const states: CommandState[] = [];
    const runner = new CommandRunner(() => Promise.reject(new TypeError('boom')), (s) => states.push(s));
    await runner.run();
    expect(states.at(-1)).toEqual({ busy: false, error: 'INTERNAL' });
  });

  it('clears the last error when run again and on reset', async () => {
    const states: CommandState[] = [];
    let fail = true;
    const runner = new CommandRunner(() => (fail ? Promise.reject(new ApiError('CARD_REMOVED', 'x')) : Promise.resolve('ok')), (s) => states.push(s));
    await runner.run();
    expect(states.at(-1)?.error).toBe('CARD_REMOVED');
    runner.reset();
    expect(states.at(-1)).toEqual({ busy: false, error: null });
    await runner.run();
    fail = false;
    expect(states.at(-1)?.error).toBe('CARD_REMOVED');
    expect(await runner.run()).toBe('ok');
    expect(states.at(-1)).toEqual({ busy: false, error: null });
  });

  it('runs the latest command it was given', async () => {
    const runner = new CommandRunner(() => Promise.resolve('first'), () => undefined);
    runner.setCommand(() => Promise.resolve('second'));
    expect(await runner.run()).toBe('second');
  });

  it('publishes nothing after it is disposed', async () => {
    const states: CommandState[] = [];
    const pending = deferred<string>();
    const runner = new CommandRunner(() => pending.promise, (s) => states.push(s));
    const result = runner.run();
    runner.dispose();
    pending.resolve('late');
    expect(await result).toBe('late');
    expect(states).toEqual([{ busy: true, error: null }]);
  });

  it('publishes again, with the state it reached meanwhile, once attached after a dispose (a remount)', async () => {
    const states: CommandState[] = [];
    const pending = deferred<string>();
    const runner = new CommandRunner(() => pending.promise, (s) => states.push(s));
    const result = runner.run();
    runner.dispose();
    pending.resolve('done');
    await result;
    runner.attach();
    expect(states).toEqual([
      { busy: true, error: null },
      { busy: false, error: null },
    ]);
    await runner.run();
    expect(states.slice(2)).toEqual([
      { busy: true, error: null },
      { busy: false, error: null },
    ]);
  });

  it('lets only the latest run end the busy state or report a failure', async () => {
    const states: CommandState[] = [];
    const first = deferred<string>();
    const second = deferred<string>();
    const pending = [first, second];
    const runner = new CommandRunner(() => pending.shift()!.promise, (s) => states.push(s));
    const early = runner.run();
    const late = runner.run();
    first.reject(new ApiError('CARD_REMOVED', 'x'));
    expect(await early).toBeUndefined();
    expect(states.at(-1)).toEqual({ busy: true, error: null });
    second.resolve('fresh');
    expect(await late).toBe('fresh');
    expect(states.at(-1)).toEqual({ busy: false, error: null });
  });

  it('keeps a run under way busy when its error is cleared', () => {
    const states: CommandState[] = [];
    const runner = new CommandRunner(() => new Promise<never>(() => undefined), (s) => states.push(s));
    void runner.run();
    runner.reset();
    expect(states.at(-1)).toEqual({ busy: true, error: null });
  });

  describe('two-person control (issue 17 §4)', () => {
    const approval = { requestId: '6f1c3f4e-2b1a-4c5d-8e9f-0a1b2c3d4e5f', action: 'operator.roles', summary: 'Set the roles', expiresAt: '2026-12-07T23:00:00.000Z' };
    const needsApproval = () => new ApiError('APPROVAL_REQUIRED', 'needs a second operator', approval);

    it('asks the approver and runs the command again, once, when approved', async () => {
      const states: CommandState[] = [];
      let calls = 0;
      const asked: unknown[] = [];
      const runner = new CommandRunner(() => (++calls === 1 ? Promise.reject(needsApproval()) : Promise.resolve('changed')), (s) => states.push(s));
      runner.setApprover((request) => {
        asked.push(request);
        return Promise.resolve(true);
      });
      expect(await runner.run()).toBe('changed');
      expect(calls).toBe(2);
      expect(asked).toEqual([approval]);
      expect(states.at(-1)).toEqual({ busy: false, error: null });
    });

    it('changes nothing and shows no error when the approval is cancelled', async () => {
      const states: CommandState[] = [];
      let calls = 0;
      const runner = new CommandRunner(() => (++calls, Promise.reject(needsApproval())), (s) => states.push(s));
      runner.setApprover(() => Promise.resolve(false));
      expect(await runner.run()).toBeUndefined();
      expect(calls).toBe(1);
      expect(states.at(-1)).toEqual({ busy: false, error: null });
    });

    it('shows APPROVAL_REQUIRED where no approval dialog is offered', async () => {
      const states: CommandState[] = [];
      const runner = new CommandRunner(() => Promise.reject(needsApproval()), (s) => states.push(s));
      expect(await runner.run()).toBeUndefined();
      expect(states.at(-1)).toEqual({ busy: false, error: 'APPROVAL_REQUIRED' });
    });
  });
});
