/** `carddesk card …` against a virtual PIV card in a vpcd reader; secrets only ever on stdin. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACTORY } from '../../electron/smartcard/piv';
import { CardInReader } from '../support/card-in-reader';
import { carddesk } from '../support/cli';
import { Pcscd } from '../support/pcscd';

let pcscd: Pcscd;
let card: CardInReader;

beforeAll(async () => {
  pcscd = await Pcscd.ensure();
  card = await CardInReader.create(0, { serial: 20262027 });
  await card.insert();
});

afterAll(async () => {
  await card?.remove();
  await pcscd?.stop();
});

const reader = (): string[] => ['--reader', card.readerName];

describe('carddesk card', () => {
  it('status shows type, serial, tries left, default credentials and slots', async () => {
    const result = await carddesk(['card', 'status', ...reader()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Card\s+PIV \(CardDesk virtual PIV\), serial 20262027, version 5\.7\.1/);
    expect(result.stdout).toMatch(/PIN\s+3 of 3 tries left \(factory default: change it\)/);
    expect(result.stdout).toMatch(/Management key\s+TDES \(factory default: change it\)/);
    expect(result.stdout).toMatch(/Slot 9C\s+digital signature: no key; no certificate/);
    const json = await carddesk(['card', 'status', '--json', ...reader()]);
    expect(JSON.parse(json.stdout)).toMatchObject([{ reader: card.readerName, ok: true, card: { kind: 'piv', serial: '20262027', pin: { triesLeft: 3 } } }]);
  });

  it('never takes a PIN from the command line', async () => {
    const result = await carddesk(['card', 'verify-pin', ...reader(), '--pin', FACTORY.PIN]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown option '--pin'/);
  });

  it('verify-pin: right, wrong (exit 3 with tries left), and a malformed PIN that never reaches the card', async () => {
    expect(await carddesk(['card', 'verify-pin', ...reader()], { input: `${FACTORY.PIN}\n` })).toMatchObject({ code: 0, stdout: 'PIN verified.\n' });
    expect(await carddesk(['card', 'verify-pin', ...reader()], { input: '000000\n' })).toMatchObject({ code: 3, stderr: 'Wrong PIN. 2 tries left.\n' });
    expect(await carddesk(['card', 'verify-pin', ...reader()], { input: '12ab\n' })).toMatchObject({ code: 1, stderr: expect.stringMatching(/A PIN is 6 to 8 digits/) });
    const status = await carddesk(['card', 'status', '--json', ...reader()]);
    expect(JSON.parse(status.stdout)).toMatchObject([{ card: { pin: { triesLeft: 2 } } }]);
  });

  it('change-pin, change-puk, unblock and set-retries, each read from stdin', async () => {
    expect(await carddesk(['card', 'change-pin', ...reader()], { input: `${FACTORY.PIN}\n24682468\n` })).toMatchObject({ code: 0, stdout: 'PIN changed.\n' });
    expect(await carddesk(['card', 'change-puk', ...reader()], { input: `${FACTORY.PUK}\n13571357\n` })).toMatchObject({ code: 0, stdout: 'PUK changed.\n' });
    for (let i = 0; i < 3; i += 1) await carddesk(['card', 'verify-pin', ...reader()], { input: '000000\n' });
    expect(await carddesk(['card', 'verify-pin', ...reader()], { input: '24682468\n' })).toMatchObject({ code: 3, stderr: expect.stringMatching(/PIN is blocked/) });
    expect(await carddesk(['card', 'unblock', ...reader()], { input: '13571357\n97539753\n' })).toMatchObject({ code: 0, stdout: 'PIN unblocked and set.\n' });
    const retries = await carddesk(['card', 'set-retries', '--pin-tries', '5', '--puk-tries', '4', ...reader()], { input: '97539753\n13571357\n' });
    expect(retries, retries.stderr).toMatchObject({ code: 0, stdout: 'Retry limits set: PIN 5, PUK 4; PIN and PUK unchanged.\n' });
    const status = await carddesk(['card', 'status', ...reader()]);
    expect(status.stdout).toMatch(/PIN\s+5 of 5 tries left\n/);
    expect(status.stdout).toMatch(/PUK\s+4 of 4 tries left\n/);
    expect(await carddesk(['card', 'verify-pin', ...reader()], { input: '97539753\n' })).toMatchObject({ code: 0 });
  });

  it('says which input is missing when stdin ends early', async () => {
    const result = await carddesk(['card', 'change-pin', ...reader()], { input: '97539753\n' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no input left for "New PIN"/);
  });
});
