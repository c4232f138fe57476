import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { luhnCheckDigit } from './check-digits';
import { holderInput, operator, personalNumber, tempHome } from '../../../test/support/vault-fixtures';
import { createVaultServices, type VaultServices } from '../vault/vault-services';

const open: VaultServices[] = [];
function setup(home = tempHome()) {
  const audit = new MemoryAuditTrail();
  const services = createVaultServices({ dataDir: home, audit, log: silentLogger });
  open.push(services);
  return { directory: services.directory, services, audit, home };
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

const header = 'personalNumber,firstName,lastName,email,mobile,documentNumber,documentExpiry,language';

describe('HolderDirectory', () => {
  it('creates a holder with a unique 14-digit user number whose last digit is a Luhn check', async () => {
    const { directory, audit } = setup();
    const result = await directory.create(holderInput(1), operator);
    if (!result.ok) throw new Error('not saved');
    const { userNumber } = result.holder;
    expect(userNumber).toMatch(/^[1-9]\d{13}$/);
    expect(Number(userNumber.slice(-1))).toBe(luhnCheckDigit(userNumber.slice(0, -1)));
    expect(audit.events).toMatchObject([{ action: 'holder.create', holderId: result.holder.id, outcome: 'success' }]);
  });

  it('answers each bad field with its own problem and saves nothing', async () => {
    const { directory } = setup();
    const result = await directory.create(
      holderInput(2, { personalNumber: '12', firstName: ' ', email: 'not-an-email', mobile: '044 12', documentNumber: 'AB123', documentExpiry: '2026-02-30' }),
      operator,
    );
    expect(result).toEqual({
      ok: false,
      problems: expect.arrayContaining([
        { field: 'personalNumber', code: 'invalid' },
        { field: 'firstName', code: 'required' },
        { field: 'email', code: 'invalid' },
        { field: 'mobile', code: 'invalid' },
        { field: 'documentExpiry', code: 'invalid' },
      ]),
    });
    expect(directory.search({ query: '', sort: 'lastName', direction: 'asc', offset: 0, limit: 10 }).total).toBe(0);
  });

  it('refuses a duplicate personal number and a stale edit', async () => {
    const { directory } = setup();
    const first = await directory.create(holderInput(3), operator);
    if (!first.ok) throw new Error('not saved');
    expect(await directory.create(holderInput(4, { personalNumber: personalNumber(3) }), operator)).toEqual({ ok: false, problems: [{ field: 'personalNumber', code: 'duplicate' }] });
    const edited = await directory.update(first.holder.id, 1, { ...holderInput(3), lastName: 'Edited' }, operator);
    expect(edited).toMatchObject({ ok: true, holder: { lastName: 'Edited', version: 2 } });
    await expect(directory.update(first.holder.id, 1, holderInput(3), operator)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('keeps holders across a reopen and finds them by any field', async () => {
    const home = tempHome();
    const first = setup(home);
    await first.directory.create(holderInput(5, { organisation: 'Komuna e Prishtinës' }), operator);
    await first.services.close();
    open.length = 0;
    const second = setup(home);
    const found = second.directory.search({ query: 'prishtines', sort: 'lastName', direction: 'asc', offset: 0, limit: 10 });
    expect(found.items.map((h) => h.personalNumber)).toEqual([personalNumber(5)]);
    expect(second.directory.find(personalNumber(5)).firstName).toBe('First5');
  });

  it('imports every row of a good CSV in one go', async () => {
    const { directory, audit } = setup();
    const csv = [header, ...[10, 11, 12].map((n) => `${personalNumber(n)},Name${n},"Family, ${n}",h${n}@example.org,+38344000${n},,,sq`)].join('\n');
    expect(await directory.importCsv(csv, operator)).toEqual({ ok: true, imported: 3 });
    expect(directory.find(personalNumber(11))).toMatchObject({ lastName: 'Family, 11', language: 'sq' });
    expect(audit.events.at(-1)).toMatchObject({ action: 'holder.import', outcome: 'success', details: { imported: 3 } });
  });

  it('imports nothing when any row is bad, and reports each bad row', async () => {
    const { directory } = setup();
    await directory.create(holderInput(20), operator);
    const csv = [
      header,
      `${personalNumber(21)},Good,Row,,,,,en`,
      `1234,Bad,Number,,,,,en`,
      `${personalNumber(20)},Already,There,,,,,en`,
      `${personalNumber(22)},,NoFirstName,,,,,en`,
      `${personalNumber(23)},Twice,One,,,,,en`,
      `${personalNumber(23)},Twice,Two,,,,,en`,
      `${personalNumber(24)},Bad,Language,,,,,de`,
    ].join('\n');
    const result = await directory.importCsv(csv, operator);
    expect(result).toEqual({
      ok: false,
      rows: 7,
      fileProblems: [],
      badRows: [
        { line: 3, personalNumber: '1234', problems: [{ field: 'personalNumber', code: 'invalid' }] },
        { line: 4, personalNumber: personalNumber(20), problems: [{ field: 'personalNumber', code: 'duplicate' }] },
        { line: 5, personalNumber: personalNumber(22), problems: [{ field: 'firstName', code: 'required' }] },
        { line: 7, personalNumber: personalNumber(23), problems: [{ field: 'personalNumber', code: 'duplicate' }] },
        { line: 8, personalNumber: personalNumber(24), problems: [{ field: 'language', code: 'invalid' }] },
      ],
    });
    expect(directory.search({ query: '', sort: 'lastName', direction: 'asc', offset: 0, limit: 10 }).total).toBe(1);
  });

  it('refuses a file with missing or unknown columns', async () => {
    const { directory } = setup();
    expect(await directory.importCsv('firstName,lastName,shoeSize\nA,B,42\n', operator)).toEqual({
      ok: false,
      rows: 1,
      fileProblems: [
        { code: 'missingColumn', column: 'personalNumber' },
        { code: 'unknownColumn', column: 'shoeSize' },
      ],
      badRows: [],
    });
  });

  it('exports CSV that imports again into an empty directory', async () => {
    const first = setup();
    for (const n of [30, 31]) await first.directory.create(holderInput(n, { lastName: `Name, ${n}` }), operator);
    const csv = await first.directory.exportCsv({ query: '', sort: 'lastName', direction: 'asc', offset: 0, limit: 25 }, operator);
    const second = setup();
    expect(await second.directory.importCsv(csv, operator)).toEqual({ ok: true, imported: 2 });
    expect(second.directory.find(personalNumber(31)).lastName).toBe('Name, 31');
  });

  it('moves cards only along their life cycle', async () => {
    const { directory } = setup();
    const saved = await directory.create(holderInput(40), operator);
    if (!saved.ok) throw new Error('not saved');
    await directory.registerCard('card-0001', saved.holder.id, operator);
    await expect(directory.changeCardState('CARD-0001', 'active', operator)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    for (const state of ['personalisationIncomplete', 'active', 'suspended', 'active', 'lost'] as const) {
      expect((await directory.changeCardState('CARD-0001', state, operator)).state).toBe(state);
    }
    await expect(directory.changeCardState('CARD-0001', 'active', operator)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(directory.cardsOf(saved.holder.id)).toMatchObject([{ serial: 'CARD-0001', state: 'lost' }]);
    await expect(directory.registerCard('CARD-0001', null, operator)).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
