/** Holders' postal addresses (their own and their contact person's): checks, CSV columns, older records. */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { holderInput, operator, personalNumber, tempHome } from '../../../test/support/vault-fixtures';
import { createVaultServices, type VaultServices } from '../vault/vault-services';
import { parseCsv } from './csv';
import { HOLDERS } from './holder-directory';

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

const everything = { query: '', sort: 'lastName', direction: 'asc', offset: 0, limit: 25 } as const;

const addressed = {
  contactPerson: 'Drita Krasniqi',
  street: 'Rruga "Nëna Terezë" 12, hyrja 3',
  postcode: '10000',
  city: 'Prishtinë',
  country: 'xk',
  contactStreet: 'Via Roma 1',
  contactPostcode: '00184',
  contactCity: 'Roma',
  contactCountry: 'IT',
};

describe('holder addresses', () => {
  it('keeps a postal address and the contact person’s, normalised', async () => {
    const { directory, audit } = setup();
    const result = await directory.create(holderInput(1, { ...addressed, postcode: ' 10000 ' }), operator);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.holder).toMatchObject({ ...addressed, country: 'XK' });
    const moved = await directory.update(result.holder.id, 1, { ...result.holder, street: 'Rruga B 7', postcode: '1011 ab', country: 'NL', city: 'Amsterdam' }, operator);
    expect(moved).toMatchObject({ ok: true, holder: { street: 'Rruga B 7', postcode: '1011 AB', city: 'Amsterdam', country: 'NL' } });
    expect(audit.events.at(-1)).toMatchObject({ action: 'holder.update', details: { fields: 'street,postcode,city,country' } });
  });

  it('refuses an address that cannot be mailed, naming each field', async () => {
    const { directory } = setup();
    expect(await directory.create(holderInput(2, { street: 'Rruga B 7' }), operator)).toEqual({
      ok: false,
      problems: [
        { field: 'postcode', code: 'required' },
        { field: 'city', code: 'required' },
      ],
    });
    expect(await directory.create(holderInput(3, { street: 'S 1', postcode: '10-000-', city: 'C', country: 'Kosovo' }), operator)).toEqual({
      ok: false,
      problems: [
        { field: 'postcode', code: 'invalid' },
        { field: 'country', code: 'invalid' },
      ],
    });
    expect(await directory.create(holderInput(4, { contactStreet: 'Via Roma 1', contactPostcode: '00184', contactCity: 'Roma' }), operator)).toEqual({
      ok: false,
      problems: [{ field: 'contactPerson', code: 'required' }],
    });
    expect(directory.search(everything).total).toBe(0);
  });

  it('round-trips both addresses through CSV export and import', async () => {
    const first = setup();
    await first.directory.create(holderInput(10, addressed), operator);
    await first.directory.create(holderInput(11), operator);
    const csv = await first.directory.exportCsv(everything, operator);
    const parsed = parseCsv(csv);
    if (!parsed.ok) throw new Error('unreadable export');
    const header = parsed.rows[0]!;
    for (const column of ['street', 'postcode', 'city', 'country', 'contactStreet', 'contactPostcode', 'contactCity', 'contactCountry']) expect(header).toContain(column);

    const second = setup();
    expect(await second.directory.importCsv(csv, operator)).toEqual({ ok: true, imported: 2 });
    expect(second.directory.find(personalNumber(10))).toMatchObject({ ...addressed, country: 'XK' });
    expect(second.directory.find(personalNumber(11))).toMatchObject({ street: '', postcode: '', city: '', country: '', contactStreet: '' });
  });

  it('imports a file without address columns, and reports a bad address row by its line', async () => {
    const { directory } = setup();
    expect(await directory.importCsv(`personalNumber,firstName,lastName\r\n${personalNumber(20)},Ada,Lovelace\r\n`, operator)).toEqual({ ok: true, imported: 1 });
    const bad = await directory.importCsv(`personalNumber,firstName,lastName,street,postcode,city,country\r\n${personalNumber(21)},Ada,Byron,Via Roma 1,00184,Roma,ITA\r\n`, operator);
    expect(bad).toEqual({ ok: false, rows: 1, fileProblems: [], badRows: [{ line: 2, personalNumber: personalNumber(21), problems: [{ field: 'country', code: 'invalid' }] }] });
  });

  it('reads a holder saved before addresses existed as having none', async () => {
    const home = tempHome();
    const { directory, services } = setup(home);
    const saved = await directory.create(holderInput(30), operator);
    if (!saved.ok) throw new Error('not saved');
    const { street: _s, postcode: _p, city: _c, country: _n, contactStreet: _cs, contactPostcode: _cp, contactCity: _cc, contactCountry: _cn, ...older } = saved.holder;
    await services.access.storage().records.commit([{ collection: HOLDERS, id: older.id, record: older }]);
    await services.close();
    open.splice(0);
    const reopened = setup(home);
    expect(reopened.directory.get(saved.holder.id)).toMatchObject({ lastName: 'Last30', street: '', postcode: '', city: '', country: '', contactCountry: '' });
  });
});
