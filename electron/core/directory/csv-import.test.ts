/** Issue 11 §7: CSV import bounded and validated; export → import round-trips exactly. */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAuditTrail } from '../audit/audit-trail';
import { silentLogger } from '../log/logger';
import { holderInput, operator, personalNumber, tempHome } from '../../../test/support/vault-fixtures';
import { createVaultServices, type VaultServices } from '../vault/vault-services';

const open: VaultServices[] = [];
function setup() {
  const services = createVaultServices({ dataDir: tempHome(), audit: new MemoryAuditTrail(), log: silentLogger });
  open.push(services);
  return services.directory;
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

const header = 'personalNumber,firstName,lastName';
const query = { query: '', sort: 'lastName', direction: 'asc', offset: 0, limit: 25 } as const;

describe('CSV import', () => {
  it('refuses a file that is not UTF-8, naming the line, and imports nothing', async () => {
    const directory = setup();
    // "Müller" saved as Latin-1: 0xFC is not UTF-8.
    const bytes = Buffer.concat([Buffer.from(`${header}\n${personalNumber(1)},Ada,Lovelace\n${personalNumber(2)},Hans,M`), Buffer.from([0xfc]), Buffer.from('ller\n')]);
    const result = await directory.importCsv(bytes.toString('utf8'), operator);
    expect(result).toEqual({ ok: false, rows: 2, fileProblems: [{ code: 'invalidEncoding', column: '', line: 3 }], badRows: [] });
    expect(directory.search(query).total).toBe(0);
  });

  it.each([
    ['a right-to-left override', 'Ada\u202Egnp.exe'],
    ['a first-strong isolate', 'Ada\u2068x'],
    ['a control character', 'Ada\u0007'],
    ['a line break inside a quoted name', '"Ada\nLovelace"'],
  ])('refuses %s in a name', async (_what, name) => {
    const directory = setup();
    const result = await directory.importCsv(`${header}\n${personalNumber(3)},${name},Lovelace\n`, operator);
    expect(result).toMatchObject({ ok: false, badRows: [{ line: 2, problems: [{ field: 'firstName', code: 'controlCharacter' }] }] });
  });

  it('refuses the same characters typed into the holder form', async () => {
    const directory = setup();
    const result = await directory.create(holderInput(4, { lastName: 'Love\u202Elace', organisation: 'Org\u200F' }), operator);
    expect(result).toEqual({
      ok: false,
      problems: [
        { field: 'lastName', code: 'controlCharacter' },
        { field: 'organisation', code: 'controlCharacter' },
      ],
    });
  });

  it('refuses a header that names a column twice', async () => {
    const directory = setup();
    const result = await directory.importCsv(`${header},lastName\n${personalNumber(5)},Ada,Lovelace,Byron\n`, operator);
    expect(result).toEqual({ ok: false, rows: 1, fileProblems: [{ code: 'duplicateColumn', column: 'lastName', line: 1 }], badRows: [] });
  });

  it('reports physical line numbers: a quoted field with a line break and a blank line count', async () => {
    const directory = setup();
    const csv = `${header},organisation\r\n${personalNumber(6)},Ada,Lovelace,"Analytical\r\nEngines"\r\n\r\n${personalNumber(7)},,Hopper,Navy\r\n`;
    const result = await directory.importCsv(csv, operator);
    // A line break in a name is refused too; the row after it is still reported at its own physical line.
    expect(result).toMatchObject({
      ok: false,
      badRows: [
        { line: 2, problems: [{ field: 'organisation', code: 'controlCharacter' }] },
        { line: 5, problems: [{ field: 'firstName', code: 'required' }] },
      ],
    });
  });

  it('export → import → export gives the same file, byte for byte (user numbers, formulas, quotes, line-break-free names)', async () => {
    const first = setup();
    const inputs = [
      holderInput(8, { firstName: '=Cmd', lastName: 'Name, "quoted"', organisation: '-Dash; semi', contactPerson: '@at', mobile: '+38344123456' }),
      holderInput(9, { firstName: 'Zoë', lastName: 'Ölçer', documentNumber: 'AB-1', documentExpiry: '2030-01-31', language: 'sq', state: 'suspended' }),
      holderInput(10, { firstName: "'Quote", lastName: '+Plus' }),
    ];
    for (const input of inputs) expect((await first.create(input, operator)).ok).toBe(true);
    const exported = await first.exportCsv(query, operator);
    const second = setup();
    expect(await second.importCsv(exported, operator)).toEqual({ ok: true, imported: 3 });
    expect(await second.exportCsv(query, operator)).toBe(exported);
    for (const input of inputs) {
      const [a, b] = [first.find(input.personalNumber), second.find(input.personalNumber)];
      expect({ ...b, id: a.id, createdAt: a.createdAt, updatedAt: a.updatedAt }).toEqual(a);
    }
  });
});
