import type { Command } from 'commander';
import { type CardActionResult, type OfflineUnblockResult, type PivCardDetails } from '../shared/schemas/cards';
import { chooseReader } from './reader-choice';
import type { CliContext } from './cli-context';
import { withCardRuntime } from './card-runtime';
import { registerLifecycleCommands } from './lifecycle-command';
import { positiveInteger } from './parse-options';
import { spacedHex } from './readers-command';
import { readSecret } from './secret-input';

/** Exit codes: 0 done, 1 error, 2 no card or reader, 3 refused (wrong PIN/PUK, blocked). */
const EXIT = { error: 1, noCard: 2, refused: 3 } as const;

const failureText: Record<Exclude<CardActionResult, { ok: true }>['reason'], string> = {
  wrongPin: 'Wrong PIN.',
  wrongPuk: 'Wrong PUK.',
  pinBlocked: 'The PIN is blocked. Unblock it with the PUK (carddesk card unblock).',
  pukBlocked: 'The PUK is blocked too. The card must be reset and issued again.',
  wrongManagementKey: 'The management key was not accepted.',
  cardRemoved: 'The card was removed before the operation finished. Put it back and check whether the change was made.',
  noCard: 'There is no card in the reader.',
  cardInUse: 'Another program is using the card. Close it and try again.',
  awaitingUnblock: 'The card is waiting for an offline unblock response started elsewhere (another window or command); finish or cancel that first.',
  notPiv: 'This card has no PIV application.',
};

const offlineRefusalText = {
  noSerial: 'The card does not tell its serial number; it cannot be unblocked offline.',
  notIssued: 'Only a card this desk issued and that is still in use can be unblocked offline; this card is blank, revoked, retired, lost or unknown here.',
  notBlocked: 'Neither the PIN nor the PUK of this card is blocked: there is nothing to unblock (change the PIN instead).',
} as const;

const offlineFailureText: Record<Exclude<OfflineUnblockResult, { ok: true }>['reason'], string> = {
  responseMistyped: 'The response still does not match the challenge. Start again for a new challenge.',
  responseWrong: 'The card refused the response; its challenge is used up. Start again for a new challenge.',
  noChallenge: 'The challenge expired (it is valid for ten minutes). Start again for a new challenge.',
  cardRemoved: 'The card was removed; its challenge is lost. Put it back and start again.',
};

function report(cli: CliContext, result: CardActionResult, done: string): void {
  if (result.ok) {
    cli.out(`${done}\n`);
    return;
  }
  const tries = result.triesLeft === null || result.triesLeft === 0 ? '' : ` ${result.triesLeft} ${result.triesLeft === 1 ? 'try' : 'tries'} left.`;
  process.stderr.write(`${failureText[result.reason]}${tries}\n`);
  process.exitCode = ['cardRemoved', 'noCard', 'cardInUse', 'awaitingUnblock', 'notPiv'].includes(result.reason) ? EXIT.noCard : EXIT.refused;
}

function tries(status: { triesLeft: number | null; maxTries: number | null; isDefault: boolean | null }): string {
  const count = status.triesLeft === null ? 'tries left unknown' : status.maxTries === null ? `${status.triesLeft} tries left` : `${status.triesLeft} of ${status.maxTries} tries left`;
  return `${count}${status.triesLeft === 0 ? ' (BLOCKED)' : ''}${status.isDefault === true ? ' (factory default: change it)' : ''}`;
}

const slotNames: Record<PivCardDetails['slots'][number]['name'], string> = {
  authentication: 'PIV authentication',
  signature: 'digital signature',
  keyManagement: 'key management',
  cardAuthentication: 'card authentication',
  retired: 'retired key management',
};

export function formatCard(card: PivCardDetails): string {
  const lines = [
    `${card.reader}`,
    `  Card            PIV${card.label === null ? '' : ` (${card.label})`}, serial ${card.serial ?? 'unknown'}${card.version === null ? '' : `, version ${card.version}`}`,
    `  ATR             ${spacedHex(card.atr)}`,
    `  PIN             ${tries(card.pin)}`,
    `  PUK             ${tries(card.puk)}`,
    `  Management key  ${card.managementKey.algorithm?.toUpperCase() ?? 'unknown'}${card.managementKey.isDefault === true ? ' (factory default: change it)' : ''}`,
  ];
  for (const slot of card.slots) {
    const key = slot.key === null ? 'no key' : `${slot.key.algorithm ?? 'key'} (${slot.key.origin}, PIN ${slot.key.pinPolicy})`;
    const certificate = slot.certificate === null ? 'no certificate' : `${slot.certificate.subject}, valid until ${slot.certificate.notAfter.slice(0, 10)}`;
    lines.push(`  Slot ${slot.slot.padEnd(10)} ${slotNames[slot.name]}: ${key}; ${certificate}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerCardCommands(program: Command, cli: CliContext): void {
  const card = program.command('card').description('PIV cards: status, PIN and PUK, issue, unblock, renew, suspend, revoke, retire');
  const readerOption = ['--reader <name>', 'the reader (default: the only one holding a card)'] as const;

  card
    .command('status')
    .description('for each card: type, serial, PIN and PUK tries left, default credentials, slots')
    .option(...readerOption)
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { reader?: string; json?: boolean }) => {
      await withCardRuntime(cli, async ({ readers, cards }) => {
        const names = options.reader === undefined ? readers.list().readers.filter((r) => r.cardState !== 'absent').map((r) => r.name) : [chooseReader(readers, options.reader)];
        if (names.length === 0) {
          process.stderr.write('No reader holds a card.\n');
          process.exitCode = EXIT.noCard;
          return;
        }
        const results = [];
        for (const name of names) results.push({ reader: name, ...(await cards.inspect(name)) });
        if (options.json === true) {
          cli.out(`${JSON.stringify(results, null, 2)}\n`);
          return;
        }
        for (const result of results) {
          if (!result.ok) cli.out(`${result.reader}\n  ${failureText[result.reason]}\n`);
          else if (result.card.kind === 'other') cli.out(`${result.reader}\n  A card without a PIV application, ATR ${spacedHex(result.card.atr)}\n`);
          else cli.out(formatCard(result.card));
        }
      });
    });

  card
    .command('verify-pin')
    .description('check the PIN (read from a prompt or stdin)')
    .option(...readerOption)
    .action(async (options: { reader?: string }) => {
      await withCardRuntime(cli, async ({ readers, cards }) => {
        const reader = chooseReader(readers, options.reader);
        const pin = await readSecret(cli, 'PIN: ', 'PIN');
        report(cli, await cards.verifyPin(reader, pin, cli.operation), 'PIN verified.');
      });
    });

  card
    .command('change-pin')
    .description('change the PIN (current and new PIN from a prompt or stdin, one per line)')
    .option(...readerOption)
    .action(async (options: { reader?: string }) => {
      await withCardRuntime(cli, async ({ readers, cards }) => {
        const reader = chooseReader(readers, options.reader);
        const current = await readSecret(cli, 'Current PIN: ', 'PIN');
        const next = await readSecret(cli, 'New PIN: ', 'PIN', true);
        report(cli, await cards.changePin(reader, current, next, cli.operation), 'PIN changed.');
      });
    });

  card
    .command('change-puk')
    .description('change the PUK (current and new PUK from a prompt or stdin, one per line)')
    .option(...readerOption)
    .action(async (options: { reader?: string }) => {
      await withCardRuntime(cli, async ({ readers, cards }) => {
        const reader = chooseReader(readers, options.reader);
        const current = await readSecret(cli, 'Current PUK: ', 'PUK');
        const next = await readSecret(cli, 'New PUK: ', 'PUK', true);
        report(cli, await cards.changePuk(reader, current, next, cli.operation), 'PUK changed.');
      });
    });

  card
    .command('unblock')
    .description('unblock the PIN with the PUK and set a new PIN (PUK and new PIN from a prompt or stdin)')
    .option(...readerOption)
    .action(async (options: { reader?: string }) => {
      await withCardRuntime(cli, async ({ readers, cards }) => {
        const reader = chooseReader(readers, options.reader);
        const puk = await readSecret(cli, 'PUK: ', 'PUK');
        const pin = await readSecret(cli, 'New PIN: ', 'PIN', true);
        report(cli, await cards.unblockPin(reader, puk, pin, cli.operation), 'PIN unblocked and set.');
      });
    });

  card
    .command('unblock-offline')
    .description("unblock the PIN without the PUK: show the card's challenge, type the helpdesk's response and a new PIN")
    .option(...readerOption)
    .action(async (options: { reader?: string }) => {
      await withCardRuntime(cli, async ({ readers, offlineUnblock }) => {
        const reader = chooseReader(readers, options.reader);
        const begun = await offlineUnblock.begin(reader, cli.operation);
        if (!begun.ok) {
          const refused = begun.reason === 'noSerial' || begun.reason === 'notIssued' || begun.reason === 'notBlocked';
          process.stderr.write(`${refused ? offlineRefusalText[begun.reason] : failureText[begun.reason]}\n`);
          process.exitCode = refused ? EXIT.refused : EXIT.noCard;
          return;
        }
        cli.out(
          `Card serial      ${begun.serial}\nChallenge        ${begun.challengeCode}\n` +
            `Give the serial and the challenge to the helpdesk; the challenge is valid until ${begun.expiresAt}.\n` +
            'Keep the card in the reader. We will never ask for your PIN.\n',
        );
        const pin = await readSecret(cli, 'New PIN: ', 'PIN', true);
        try {
          for (let attempt = 1; ; attempt += 1) {
            const response = (await cli.secrets.read('Response: ', { echo: true })).toString();
            const result = await offlineUnblock.complete(begun.attempt, response, Buffer.from(pin));
            if (result.ok) {
              cli.out('PIN unblocked and set.\n');
              return;
            }
            if (result.reason === 'responseMistyped' && attempt < 5) {
              process.stderr.write('That response has a typo or belongs to another challenge. Type it again.\n');
              continue;
            }
            process.stderr.write(`${offlineFailureText[result.reason]}\n`);
            process.exitCode = result.reason === 'cardRemoved' ? EXIT.noCard : EXIT.refused;
            await offlineUnblock.cancel(begun.attempt);
            return;
          }
        } finally {
          pin.fill(0);
        }
      });
    });

  card
    .command('set-retries')
    .description('set how many wrong PINs and PUKs the card allows, keeping the PIN and PUK as they are')
    .requiredOption('--pin-tries <n>', 'PIN tries (1-15)', positiveInteger)
    .requiredOption('--puk-tries <n>', 'PUK tries (1-15)', positiveInteger)
    .option('--management-key <algorithm>', 'read the card management key (hex) from the prompt or stdin; algorithm tdes, aes128, aes192 or aes256 (default: the factory key)')
    .option(...readerOption)
    .action(async (options: { reader?: string; pinTries: number; pukTries: number; managementKey?: string }) => {
      if (options.pinTries > 15 || options.pukTries > 15) throw new Error('Retry limits go from 1 to 15.');
      const algorithm = options.managementKey;
      if (algorithm !== undefined && !['tdes', 'aes128', 'aes192', 'aes256'].includes(algorithm)) throw new Error('--management-key is tdes, aes128, aes192 or aes256.');
      await withCardRuntime(cli, async ({ readers, cards }) => {
        const reader = chooseReader(readers, options.reader);
        const pin = await readSecret(cli, 'PIN: ', 'PIN');
        const puk = await readSecret(cli, 'PUK: ', 'PUK');
        let managementKey: Parameters<typeof cards.setRetryCounters>[1]['managementKey'] = { kind: 'factory' };
        if (algorithm !== undefined) {
          const hex = await cli.secrets.read('Management key (hex): ');
          const key = Buffer.from(hex.toString().trim(), 'hex');
          hex.fill(0);
          managementKey = { kind: 'custom', algorithm: algorithm as 'tdes', key };
        }
        report(cli, await cards.setRetryCounters(reader, { pinTries: options.pinTries, pukTries: options.pukTries, pin, puk, managementKey }, cli.operation), `Retry limits set: PIN ${options.pinTries}, PUK ${options.pukTries}; PIN and PUK unchanged.`);
      });
    });
  registerLifecycleCommands(card, cli);
}
