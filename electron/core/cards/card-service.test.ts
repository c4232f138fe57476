/**
 * The card service on the virtual card in process: every operation, its audit event, and the card
 * pulled at every APDU of every operation — before the card executed it and after — with nothing
 * ever reported as done that was not.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { connectTo, freshCard, type TestConnection } from '../../../test/support/memory-card';
import { FACTORY, PIN_REF } from '../../smartcard/piv';
import type { VirtualPivCard } from '../../vcard/piv-card';
import { MemoryAuditTrail } from '../audit/audit-trail';
import type { OperationContext } from '../operation-context';
import { ApduTransport } from '../piv/apdu-transport';
import { PivClient } from '../piv/piv-client';
import type { CardConnector } from '../readers/card-connection';
import type { CardOwners } from './card-owners';
import { CardService } from './card-service';

const operator: OperationContext = { actor: { kind: 'operator', id: 'tester' }, channel: 'desk' };
const text = (value: string): Buffer => Buffer.from(value);

interface Rig {
  card: VirtualPivCard;
  service: CardService;
  audit: MemoryAuditTrail;
  /** Set before an operation: the next connection pulls the card at that APDU. */
  pull: { at: number; when: 'before' | 'after' } | null;
  last: TestConnection | null;
}

async function rig(): Promise<Rig> {
  const { card } = await freshCard();
  const audit = new MemoryAuditTrail();
  const state: Rig = { card, audit, pull: null, last: null, service: null as unknown as CardService };
  const connector: CardConnector = {
    connect: () => {
      const connection = connectTo(card, 'Test Reader');
      if (state.pull !== null) {
        if (state.pull.when === 'before') connection.pullBefore(state.pull.at);
        else connection.pullAfter(state.pull.at);
      }
      state.last = connection;
      return Promise.resolve(connection);
    },
  };
  state.service = new CardService({ connector, audit });
  return state;
}

/** Reads the card's PIN/PUK state directly, as a second reader would. */
async function probe(card: VirtualPivCard): Promise<PivClient> {
  const client = new PivClient(new ApduTransport(connectTo(card)));
  await client.select();
  return client;
}

describe('CardService', () => {
  let r: Rig;

  beforeEach(async () => {
    r = await rig();
  });

  it('inspects a factory card: serial, version, tries, defaults and empty slots', async () => {
    const result = await r.service.inspect('Test Reader');
    expect(result).toMatchObject({
      ok: true,
      card: {
        kind: 'piv',
        label: 'CardDesk virtual PIV',
        serial: '12345678',
        version: '5.7.1',
        pin: { triesLeft: 3, maxTries: 3, isDefault: true },
        puk: { triesLeft: 3, maxTries: 3, isDefault: true },
        managementKey: { algorithm: 'tdes', isDefault: true },
      },
    });
    if (!result.ok || result.card.kind !== 'piv') throw new Error('unexpected');
    expect(result.card.slots.map((slot) => [slot.slot, slot.key, slot.certificate])).toEqual([
      ['9A', null, null],
      ['9C', null, null],
      ['9D', null, null],
      ['9E', null, null],
    ]);
    expect(result.card.chuid?.guid).toMatch(/^[0-9A-F]{32}$/);
  });

  it('verifies the PIN and records success and failure, with tries left but never the PIN', async () => {
    expect(await r.service.verifyPin('Test Reader', text('000000'), operator)).toEqual({ ok: false, reason: 'wrongPin', triesLeft: 2 });
    expect(await r.service.verifyPin('Test Reader', text(FACTORY.PIN), operator)).toEqual({ ok: true });
    expect(r.audit.events.map((event) => [event.action, event.outcome, event.cardSerial])).toEqual([
      ['card.pinVerify', 'failure', '12345678'],
      ['card.pinVerify', 'success', '12345678'],
    ]);
    expect(JSON.stringify(r.audit.events)).not.toMatch(/000000|123456[^7]/);
  });

  it('wipes the secrets it was given', async () => {
    const pin = text(FACTORY.PIN);
    await r.service.verifyPin('Test Reader', pin, operator);
    expect([...pin].every((byte) => byte === 0)).toBe(true);
  });

  it('changes PIN and PUK, unblocks with the PUK, and reports blocked states', async () => {
    expect(await r.service.changePin('Test Reader', text(FACTORY.PIN), text('112233'), operator)).toEqual({ ok: true });
    for (let i = 0; i < 2; i += 1) await r.service.verifyPin('Test Reader', text('000000'), operator);
    expect(await r.service.verifyPin('Test Reader', text('000000'), operator)).toEqual({ ok: false, reason: 'pinBlocked', triesLeft: 0 });
    expect(await r.service.unblockPin('Test Reader', text('00000000'), text('445566'), operator)).toEqual({ ok: false, reason: 'wrongPuk', triesLeft: 2 });
    expect(await r.service.unblockPin('Test Reader', text(FACTORY.PUK), text('445566'), operator)).toEqual({ ok: true });
    expect(await r.service.verifyPin('Test Reader', text('445566'), operator)).toEqual({ ok: true });
    expect(await r.service.changePuk('Test Reader', text(FACTORY.PUK), text('99887766'), operator)).toEqual({ ok: true });
  });

  it('sets retry counters keeping PIN and PUK, and refuses a wrong management key', async () => {
    await r.service.changePin('Test Reader', text(FACTORY.PIN), text('246810'), operator);
    const bad = await r.service.setRetryCounters(
      'Test Reader',
      { pinTries: 5, pukTries: 6, pin: text('246810'), puk: text(FACTORY.PUK), managementKey: { kind: 'custom', algorithm: 'tdes', key: Buffer.alloc(24, 7) } },
      operator,
    );
    expect(bad).toEqual({ ok: false, reason: 'wrongManagementKey', triesLeft: null });
    const good = await r.service.setRetryCounters(
      'Test Reader',
      { pinTries: 5, pukTries: 6, pin: text('246810'), puk: text(FACTORY.PUK), managementKey: { kind: 'factory' } },
      operator,
    );
    expect(good).toEqual({ ok: true });
    const inspected = await r.service.inspect('Test Reader');
    expect(inspected).toMatchObject({ card: { pin: { maxTries: 5, triesLeft: 5, isDefault: false }, puk: { maxTries: 6, isDefault: true } } });
    expect(await r.service.verifyPin('Test Reader', text('246810'), operator)).toEqual({ ok: true });
  });

  describe('card pulled mid-operation', () => {
    type Operation = { name: string; run: (rig: Rig) => Promise<{ ok: boolean; reason?: string }>; check: (rig: Rig) => Promise<void> };

    /** After a pull, the card is in the old state or the new one — never in between. */
    const operations: Operation[] = [
      {
        name: 'inspect',
        run: (rig) => rig.service.inspect('Test Reader'),
        check: async () => {},
      },
      {
        name: 'verify PIN',
        run: (rig) => rig.service.verifyPin('Test Reader', text(FACTORY.PIN), operator),
        check: async (rig) => {
          expect((await (await probe(rig.card)).pinStatus()).triesLeft).toBe(3);
        },
      },
      {
        name: 'change PIN',
        run: (rig) => rig.service.changePin('Test Reader', text(FACTORY.PIN), text('135790'), operator),
        check: async (rig) => {
          const client = await probe(rig.card);
          const old = await client.verifyPin(text(FACTORY.PIN));
          if (!old.ok) expect(await client.verifyPin(text('135790'))).toEqual({ ok: true });
        },
      },
      {
        name: 'change PUK',
        run: (rig) => rig.service.changePuk('Test Reader', text(FACTORY.PUK), text('24680246'), operator),
        check: async (rig) => {
          const client = await probe(rig.card);
          const old = await client.changePuk(text(FACTORY.PUK), text(FACTORY.PUK));
          if (!old.ok) expect(await client.changePuk(text('24680246'), text('24680246'))).toEqual({ ok: true });
        },
      },
      {
        name: 'unblock with PUK',
        run: (rig) => rig.service.unblockPin('Test Reader', text(FACTORY.PUK), text('121212'), operator),
        check: async (rig) => {
          const client = await probe(rig.card);
          const old = await client.verifyPin(text(FACTORY.PIN));
          if (!old.ok) expect(await client.verifyPin(text('121212'))).toEqual({ ok: true });
        },
      },
      {
        name: 'set retry counters',
        run: (rig) =>
          rig.service.setRetryCounters(
            'Test Reader',
            { pinTries: 4, pukTries: 4, pin: text('777777'), puk: text('88888888'), managementKey: { kind: 'factory' } },
            operator,
          ),
        check: async (rig) => {
          // The PIN is the old one, or (pulled between the reset and the restore) the factory PIN, never unknown.
          const client = await probe(rig.card);
          const meta = await client.referenceMetadata(PIN_REF.PIV_PIN);
          expect(meta?.triesLeft).toBeGreaterThan(0);
          const ours = await client.verifyPin(text('777777'));
          if (!ours.ok) expect(await client.verifyPin(text(FACTORY.PIN))).toEqual({ ok: true });
        },
      },
    ];

    it.each(operations)('$name: every APDU, pulled before or after the card executed it', async (operation) => {
      const measure = await rig();
      if (operation.name === 'set retry counters') await prepareRetryCase(measure);
      await operation.run(measure);
      const apdus = measure.last?.transmitted ?? 0;
      expect(apdus).toBeGreaterThan(1);
      for (let at = 0; at < apdus; at += 1) {
        for (const when of ['before', 'after'] as const) {
          const trial = await rig();
          if (operation.name === 'set retry counters') await prepareRetryCase(trial);
          trial.pull = { at, when };
          const result = await operation.run(trial);
          expect(result, `${operation.name}: pulled ${when} APDU ${at + 1} of ${apdus}`).toEqual({ ok: false, reason: 'cardRemoved', ...('triesLeft' in result ? { triesLeft: null } : {}) });
          trial.pull = null;
          await operation.check(trial);
        }
      }
    });

    async function prepareRetryCase(target: Rig): Promise<void> {
      await target.service.changePin('Test Reader', text(FACTORY.PIN), text('777777'), operator);
      await target.service.changePuk('Test Reader', text(FACTORY.PUK), text('88888888'), operator);
    }
  });
});

describe("card events in the holder's history", () => {
  it("names the card's holder, looked up by the card's serial, on every PIN-class event", async () => {
    const { card } = await freshCard();
    const audit = new MemoryAuditTrail();
    const asked: string[] = [];
    const owners: CardOwners = {
      lookup: (serial) => {
        asked.push(serial);
        return { known: true, owner: { holderId: 'holder-7', state: 'active' } };
      },
    };
    const service = new CardService({ connector: { connect: () => Promise.resolve(connectTo(card, 'Test Reader')) }, audit, owners });
    await service.verifyPin('Test Reader', text('999999'), operator);
    await service.verifyPin('Test Reader', text(FACTORY.PIN), operator);
    await service.changePin('Test Reader', text(FACTORY.PIN), text('24682468'), operator);
    await service.changePuk('Test Reader', text(FACTORY.PUK), text('13571357'), operator);
    expect(audit.events.map((e) => [e.action, e.outcome, e.holderId])).toEqual([
      ['card.pinVerify', 'failure', 'holder-7'],
      ['card.pinVerify', 'success', 'holder-7'],
      ['card.pinChange', 'success', 'holder-7'],
      ['card.pukChange', 'success', 'holder-7'],
    ]);
    expect(new Set(asked)).toEqual(new Set([audit.events[0]?.cardSerial]));
  });

  it('leaves the holder out when the directory does not know the card', async () => {
    const { card } = await freshCard();
    const audit = new MemoryAuditTrail();
    const service = new CardService({ connector: { connect: () => Promise.resolve(connectTo(card, 'Test Reader')) }, audit, owners: { lookup: () => ({ known: false, why: 'unknown' }) } });
    await service.verifyPin('Test Reader', text('999999'), operator);
    expect(audit.events[0]).not.toHaveProperty('holderId');
    expect(audit.events[0]?.cardSerial).toBeDefined();
  });
});
