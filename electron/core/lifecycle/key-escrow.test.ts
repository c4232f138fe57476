/**
 * Key escrow: keys are made off the event loop, and escrows that start at the same moment on a
 * new vault share one recovery key instead of each making (and overwriting) their own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifecycleRig, type LifecycleRig } from '../../../test/support/lifecycle-rig';
import { operator } from '../../../test/support/vault-fixtures';
import { generateSoftwareKeyPair } from './key-escrow';

let rig: LifecycleRig;
beforeAll(async () => {
  rig = await lifecycleRig();
});
afterAll(() => rig.close());

describe('key escrow', () => {
  it('makes a key without holding the event loop', async () => {
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 1);
    try {
      const pair = await generateSoftwareKeyPair('rsa2048');
      expect(pair.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    } finally {
      clearInterval(ticker);
    }
    // RSA-2048 takes tens of milliseconds or more: a synchronous call lets no timer run meanwhile.
    expect(ticks).toBeGreaterThan(0);
  });

  it('escrows started together on a new vault share one recovery key, and each recovers', async () => {
    const pairs = await Promise.all([generateSoftwareKeyPair('eccp256'), generateSoftwareKeyPair('eccp256'), generateSoftwareKeyPair('eccp384')]);
    const ids = await Promise.all(
      pairs.map((pair, n) => rig.deps.escrow.escrow(pair.privateKey, { cardSerial: `9000000${n}`, holderId: `holder-${n}`, algorithm: n === 2 ? 'eccp384' : 'eccp256' }, operator)),
    );
    for (const [n, id] of ids.entries()) {
      const recovered = await rig.deps.escrow.recover(id, 'test', operator);
      expect(recovered.export({ format: 'der', type: 'pkcs8' }).equals(pairs[n]!.privateKey.export({ format: 'der', type: 'pkcs8' }))).toBe(true);
    }
  });
});
