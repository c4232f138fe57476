import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReaderTurns } from './reader-turns';

describe('ReaderTurns', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('gives a reader to one session at a time, the others in the order they asked', async () => {
    const turns = new ReaderTurns();
    const order: string[] = [];
    const first = await turns.take('A');
    const second = turns.take('A').then((release) => {
      order.push('second');
      return release;
    });
    const third = turns.take('A').then((release) => {
      order.push('third');
      release();
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    first();
    (await second)();
    await third;
    expect(order).toEqual(['second', 'third']);
    expect(turns.isBusy('A')).toBe(false);
  });

  it('keeps readers apart, and a release given twice hands the reader on once', async () => {
    const turns = new ReaderTurns();
    const a = await turns.take('A');
    const b = await turns.take('B');
    let thirdHasIt = false;
    const second = turns.take('A');
    const third = turns.take('A').then((release) => {
      thirdHasIt = true;
      release();
    });
    a();
    a();
    const releaseSecond = await second;
    await Promise.resolve();
    expect(thirdHasIt).toBe(false);
    b();
    expect(turns.isBusy('B')).toBe(false);
    releaseSecond();
    await third;
    expect(thirdHasIt).toBe(true);
    expect(turns.isBusy('A')).toBe(false);
  });

  it('tells a session that waited too long that the card is busy, and leaves the queue intact', async () => {
    const turns = new ReaderTurns({ waitMs: 1000 });
    const first = await turns.take('A');
    const late = turns.take('A');
    const lateOutcome = late.catch((error: unknown) => error);
    vi.advanceTimersByTime(1000);
    expect(await lateOutcome).toMatchObject({ code: 'CARD_IN_USE' });
    const next = turns.take('A');
    first();
    const release = await next;
    release();
    expect(turns.isBusy('A')).toBe(false);
  });
});
