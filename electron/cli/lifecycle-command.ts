/**
 * `carddesk card issue|resume-issue|replace|renew|retire|reset-pin|unblock-response|suspend|resume|
 * revoke|report-lost|expiring|policy`: the card life cycle without a screen, with the same checks
 * as the Cards screen (the same services). Each command opens the vault and asks for its passphrase;
 * workflows with a card print their steps as they run. PIN letters go to the outbox, never here.
 */
import { Option, type Command } from 'commander';
import { RevocationReasonSchema } from '../shared/schemas/certificates';
import {
  IssuancePolicySchema,
  mobileIdDefaults,
  LifecycleArgs,
  type IssuancePolicy,
  type IssueResult,
  type LifecycleFailure,
  type LifecycleResult,
  type WorkflowProgress,
  type WorkflowStep,
} from '../shared/schemas/lifecycle';
import { AsymmetricAlgorithmSchema } from '../shared/schemas/cards';
import type { Holder } from '../shared/schemas/holders';
import { directoryCardOwners } from '../core/cards/card-owners';
import { cardSerial } from '../core/cards/card-service';
import { withPivSession } from '../core/cards/card-session';
import { ReaderHolds } from '../core/cards/reader-holds';
import { createLifecycleServices, type LifecycleServices } from '../core/lifecycle/lifecycle-services';
import { asContractResult } from '../core/lifecycle/refusals';
import { chooseReader } from './reader-choice';
import type { CliContext } from './cli-context';
import { withCardRuntime } from './card-runtime';
import { equalSecrets } from '../smartcard/constant-time';
import { readSecret } from './secret-input';
import { positiveInteger } from './parse-options';
import { printJson, unlockVault, withVault } from './vault-session';

export const stepText: Record<WorkflowStep, string> = {
  identify: 'Identify the card',
  authenticate: 'Authenticate with the management key',
  managementKey: "Set the card's own management key",
  pinPuk: 'Set PIN, PUK and retry limits',
  authenticationKey: 'Authentication key (9A)',
  signatureKey: 'Signature key (9C)',
  encryptionKey: 'Encryption key (9D)',
  cardAuthenticationKey: 'Card authentication key (9E)',
  certificates: 'Issue the certificates',
  writeObjects: 'Write certificates, CHUID and CCC',
  recoverKeys: 'Put earlier encryption keys on the card',
  revokeCertificates: 'Revoke the certificates',
  pinReset: 'Reset the PIN',
  factoryReset: 'Reset the card to its factory state',
  letters: 'PIN letters to the outbox',
  contract: 'Make the contract',
  verifyPin: 'Check the PIN on the card',
  signContract: 'Sign the contract with the card (9C)',
  activate: 'Mark the card active',
};

const failureText: Record<LifecycleFailure, string> = {
  noCard: 'There is no card in the reader.',
  cardRemoved: 'The card was removed before the work was done.',
  cardInUse: 'Another program (or another CardDesk action) is using the card.',
  awaitingUnblock: 'The card is waiting for an offline unblock response started elsewhere (another window or command); finish or cancel that first.',
  notPiv: 'This card has no PIV application.',
  noSerial: 'The card does not tell its serial number.',
  wrongCard: 'This is not the card the work was started for.',
  alreadyIssued: 'The card is issued already; renew or retire it instead.',
  foreignCard: 'Another system personalised this card (its management key is unknown); retire it first.',
  unknownCard: 'This desk did not issue that card.',
  invalidState: 'The card is not in a state that allows this.',
  personalisationIncomplete: 'The personalisation of this card stopped half-way; resume it (card resume-issue) or restart it (--restart).',
  wrongManagementKey: 'The card refused the management key the vault holds for it.',
  cardUnsupported: 'This card does not support what the work needs.',
  wrongPin: 'The PIN is wrong.',
  pinBlocked: 'The PIN is blocked: unblock it with the PUK first.',
  noContract: 'The card has no contract waiting for its signature.',
  signatureRefused: 'The card did not sign the contract; it stays awaiting activation.',
  newPinRequired: 'The holder chooses this card\'s PIN now: activate it with --choose-pin.',
  newPinInvalid: 'The new PIN does not have the number of digits the issuance policy sets.',
  pinRequired: 'The card\'s PIN is set already (from the PIN letter, or chosen earlier): activate it without --choose-pin, with that PIN.',
  pukBlocked: 'The card\'s PUK is blocked too: this card can only be reissued.',
  wrongPuk: 'The card refused the PUK the vault keeps for it.',
};

const EXIT = { error: 1, noCard: 2, refused: 3 } as const;

/** `card policy --activation` values, as the policy names them. */
const activationOptions: Record<string, IssuancePolicy['activation']> = { 'holder-signs': 'holderSigns', 'holder-chooses-pin': 'holderChoosesPin', 'at-issuance': 'atIssuance' };

/**
 * The holder's new PIN, read twice (on a terminal, without echo; from stdin, one line each) and
 * compared; the caller's activation zeroes it.
 */
async function readNewPin(cli: CliContext): Promise<Buffer> {
  const first = await readSecret(cli, 'New PIN (the holder chooses it): ', 'PIN');
  let again: Buffer;
  try {
    again = await readSecret(cli, 'Repeat the new PIN: ', 'PIN');
  } catch (error) {
    first.fill(0);
    throw error;
  }
  const same = equalSecrets(first, again);
  again.fill(0);
  if (!same) {
    first.fill(0);
    throw new Error('The two new PINs differ.');
  }
  return first;
}
const cardGone: readonly LifecycleFailure[] = ['noCard', 'cardRemoved', 'cardInUse', 'awaitingUnblock'];

function fail(reason: LifecycleFailure, extra = ''): void {
  process.stderr.write(`${failureText[reason]}${extra}\n`);
  process.exitCode = cardGone.includes(reason) ? EXIT.noCard : EXIT.refused;
}

function printProgress(): (progress: WorkflowProgress) => void {
  return (progress) => {
    if (progress.state === 'running') return;
    // Progress goes to stderr, so --json output stays clean on stdout.
    process.stderr.write(`  [${String(progress.index).padStart(2)}/${progress.total}] ${stepText[progress.step].padEnd(42)} ${progress.state}\n`);
  };
}

/** The vault (unlocked) and, when `withCard`, the readers, with the life-cycle services over them. */
async function withDesk<T>(cli: CliContext, withCard: boolean, work: (desk: LifecycleServices, reader: (wanted: string | undefined) => string) => Promise<T>): Promise<T> {
  return withVault(cli, async (vault) => {
    await unlockVault(cli, vault);
    if (!withCard) {
      const holds = new ReaderHolds({ connect: () => Promise.reject(new Error('no reader in this command')) });
      return work(createLifecycleServices({ dataDir: cli.dataDir, vault, holds, audit: vault.audit }), () => '');
    }
    return withCardRuntime(
      cli,
      async ({ readers, holds }) => work(createLifecycleServices({ dataDir: cli.dataDir, vault, holds, audit: vault.audit, emit: printProgress() }), (wanted) => chooseReader(readers, wanted)),
      { owners: directoryCardOwners(vault.directory, cli.log) },
    );
  });
}

/** The serial of the card in the reader, as the directory will know it (null: none readable). */
async function serialIn(holds: ReaderHolds, readerName: string): Promise<string | null> {
  const read = await withPivSession(holds, readerName, 'leave', (session) => cardSerial(session.client));
  return typeof read === 'string' ? read : null;
}

/** What the operator confirms: the holder's identity (no photo) and the card. */
export function issueSummary(holder: Holder, serial: string | null, purpose: 'holder' | 'operator' = 'holder'): string {
  const rows: [string, string][] = [
    ['Holder', `${holder.firstName} ${holder.lastName}`],
    ['Personal number', holder.personalNumber],
    ['User number', holder.userNumber],
    ['Identity document', holder.documentNumber === '' ? '-' : `${holder.documentNumber}${holder.documentExpiry === '' ? '' : `, valid until ${holder.documentExpiry}`}`],
    ['Organisation', holder.organisation === '' ? '-' : holder.organisation],
    ['E-mail', holder.email === '' ? '-' : holder.email],
    ['Card serial', serial ?? 'unknown (the card does not tell it)'],
    ...(purpose === 'operator' ? ([['Card', 'operator card (slot 9A: operator certificate, for signing in at the desk)']] as [string, string][]) : []),
  ];
  return `Personalise a card for:\n${rows.map(([name, value]) => `  ${name.padEnd(18)} ${value}`).join('\n')}\n`;
}

function reportIssue(cli: CliContext, result: IssueResult, json: boolean): void {
  if (json) printJson(cli, result);
  if (!result.ok) {
    fail(result.reason, result.step === null ? '' : ` (stopped at: ${stepText[result.step]})`);
    return;
  }
  if (json) return;
  cli.out(
    result.cardState === 'active'
      ? `Card ${result.serial} is issued and active.\n`
      : result.holderChoosesPin === true
        ? `Card ${result.serial} is issued and awaits activation: the holder chooses the PIN and signs the contract with it (card activate --choose-pin).\n`
        : `Card ${result.serial} is issued and awaits activation: the holder signs the contract with it (card activate).\n`,
  );
  for (const certificate of result.certificates) cli.out(`  ${certificate.profile.padEnd(15)} ${certificate.serial}  valid until ${certificate.notAfter.slice(0, 10)}\n`);
  cli.out(`Letters in the outbox (${result.outbox}):\n`);
  const pinLetter = result.holderChoosesPin === true ? 'PUK (the PIN is chosen at the desk)' : 'PIN and PUK';
  for (const letter of result.letters) cli.out(`  ${letter.kind === 'pin' ? pinLetter : 'user number'} for the ${letter.recipient === 'holder' ? 'holder' : 'contact person'}: ${letter.fileName}\n`);
}

function report(cli: CliContext, result: LifecycleResult, done: string, json: boolean): void {
  if (json) printJson(cli, result);
  if (!result.ok) {
    fail(result.reason);
    return;
  }
  if (json) return;
  cli.out(`${done}\n`);
  for (const letter of result.letters) cli.out(`  New PIN letter in the outbox (${result.outbox}): ${letter.fileName}\n`);
}

export function registerLifecycleCommands(card: Command, cli: CliContext): void {
  const readerOption = ['--reader <name>', 'the reader (default: the only one holding a card)'] as const;
  const jsonOption = ['--json', 'print machine-readable JSON'] as const;

  card
    .command('issue')
    .description('personalise the card in the reader for a holder: keys, certificates, PIN and PUK, PIN letters')
    .requiredOption('--holder <ref>', 'the holder: id, personal number or user number')
    .addOption(new Option('--user-number-to <recipient>', 'who gets the user-number letter (default: the policy)').choices(['holder', 'contact-person']))
    .option(...readerOption)
    .option('--operator', "an operator card: slot 9A gets an operator certificate, for the operator's sign-in at the desk")
    .option('--yes', 'personalise without asking (the holder and card are still printed)')
    .option(...jsonOption)
    .action(async (options: { holder: string; userNumberTo?: string; reader?: string; operator?: boolean; yes?: boolean; json?: boolean }) => {
      await withDesk(cli, true, async ({ issuer, deps }, reader) => {
        const holder = deps.vault.directory.find(options.holder);
        const recipient = options.userNumberTo === undefined ? undefined : options.userNumberTo === 'contact-person' ? 'contactPerson' : 'holder';
        const readerName = reader(options.reader);
        // The operator sees whom and which card before anything is written to it (stderr: --json stays clean).
        const serial = await serialIn(deps.holds, readerName);
        process.stderr.write(issueSummary(holder, serial, options.operator === true ? 'operator' : 'holder'));
        if (options.yes !== true) {
          const question = options.operator === true ? 'Personalise this card as an operator card for this person? [y/N] ' : 'Personalise this card for this holder? [y/N] ';
          const answer = (await cli.secrets.read(question, { echo: true })).toString().trim().toLowerCase();
          if (answer !== 'y' && answer !== 'yes') {
            process.stderr.write('Nothing was done: the card was not personalised. (Add --yes to confirm without the question.)\n');
            process.exitCode = EXIT.refused;
            return;
          }
        }
        reportIssue(cli, asContractResult(await issuer.issue({ reader: readerName, holderId: holder.id, userNumberRecipient: recipient, purpose: options.operator === true ? 'operator' : 'holder' }, cli.operation)), options.json === true);
      });
    });

  card
    .command('resume-issue')
    .description('finish the personalisation of a card that stopped half-way (or, with --restart, wipe it and start over)')
    .requiredOption('--serial <serial>', 'the card the personalisation was for')
    .option('--restart', 'reset the card to its factory state and personalise it from the start')
    .option(...readerOption)
    .option(...jsonOption)
    .action(async (options: { serial: string; restart?: boolean; reader?: string; json?: boolean }) => {
      await withDesk(cli, true, async ({ issuer }, reader) => {
        reportIssue(cli, asContractResult(await issuer.resume({ reader: reader(options.reader), serial: options.serial, restart: options.restart === true }, cli.operation)), options.json === true);
      });
    });

  card
    .command('replace')
    .description('personalise the card in the reader as the replacement of a card reported lost or stolen; its escrowed encryption keys come along')
    .requiredOption('--lost <serial>', 'the card that was lost or stolen')
    .option(...readerOption)
    .option(...jsonOption)
    .action(async (options: { lost: string; reader?: string; json?: boolean }) => {
      await withDesk(cli, true, async ({ issuer }, reader) => {
        reportIssue(cli, asContractResult(await issuer.replace({ reader: reader(options.reader), lostSerial: options.lost }, cli.operation)), options.json === true);
      });
    });

  card
    .command('activate')
    .description(
      "the holder activates a new card: they type the PIN from their PIN letter (or, with --choose-pin, choose a new PIN, typed twice) and the card's signature key signs the enrollment contract",
    )
    .option('--choose-pin', 'the holder chooses the PIN now (a card issued under the holder-chooses-pin policy): read the new PIN twice')
    .option(...readerOption)
    .option(...jsonOption)
    .action(async (options: { choosePin?: boolean; reader?: string; json?: boolean }) => {
      await withDesk(cli, true, async ({ activation }, reader) => {
        const readerName = reader(options.reader);
        const result =
          options.choosePin === true
            ? await activation.activate(readerName, null, cli.operation, await readNewPin(cli))
            : await activation.activate(readerName, await readSecret(cli, 'PIN (the holder types it): ', 'PIN'), cli.operation);
        if (!result.ok && result.triesLeft !== undefined && options.json !== true) {
          fail(result.reason, ` ${result.triesLeft} tries left.`);
          return;
        }
        report(cli, result, `Card ${result.ok ? result.serial : ''} is active; the signed contract is kept in the vault.`, options.json === true);
      });
    });

  card
    .command('record')
    .description("a card as the desk knows it: state, holder, and where its personalisation stands (JSON)")
    .requiredOption('--serial <serial>', 'the card')
    .action(async (options: { serial: string }) => {
      await withDesk(cli, false, ({ issuer }) => {
        const status = issuer.status(options.serial);
        printJson(cli, status);
        if (status.card === null) process.exitCode = EXIT.refused;
        return Promise.resolve();
      });
    });

  for (const [name, description, verb, done] of [
    ['renew', 'new keys and certificates on the card in the reader (old certificates revoked as superseded)', 'renew', 'renewed'],
    ['retire', 'revoke the certificates of the card in the reader and reset it to its factory state', 'retire', 'retired and reset to its factory state'],
    ['reset-pin', "reset the PIN of the card in the reader with its management key; a new PIN letter goes to the outbox", 'resetPin', 'has a new PIN'],
  ] as const) {
    card
      .command(name)
      .description(description)
      .option(...readerOption)
      .option(...jsonOption)
      .action(async (options: { reader?: string; json?: boolean }) => {
        await withDesk(cli, true, async ({ lifecycle }, reader) => {
          const result = await lifecycle[verb](reader(options.reader), cli.operation);
          report(cli, result, `Card ${result.ok ? result.serial : ''} ${done}.`, options.json === true);
        });
      });
  }

  card
    .command('unblock-response')
    .description("the response to a holder's offline unblock challenge, from the card's management key in the vault")
    .requiredOption('--serial <serial>', "the card's serial, as the holder's screen shows it")
    .requiredOption('--challenge <code>', 'the challenge code the holder reads out')
    .action(async (options: { serial: string; challenge: string }) => {
      const args = LifecycleArgs.unblockResponse.parse({ serial: options.serial, challenge: options.challenge });
      await withDesk(cli, false, async ({ lifecycle }) => {
        const result = await lifecycle.unblockResponse(args.serial, args.challenge, cli.operation);
        if (result.ok) {
          cli.out(`Response for card ${result.serial}: ${result.response}\nIt works once, within ten minutes of the challenge. We will never ask for your PIN.\n`);
          return;
        }
        const why = { unknownCard: 'This desk did not issue that card, or it is not in use.', malformed: 'That is not a challenge code.', check: 'The challenge has a typo or belongs to another card; read it again.', noManagementKey: 'The vault holds no management key for that card.' }[result.reason];
        process.stderr.write(`${why}\n`);
        process.exitCode = EXIT.refused;
      });
    });

  card
    .command('suspend')
    .description('put all certificates of a card on hold (certificateHold) for 1 to 30 days')
    .requiredOption('--serial <serial>', 'the card')
    .requiredOption('--days <n>', 'how long (1-30)', positiveInteger)
    .addOption(new Option('--then <action>', 'when the time is up').choices(['release', 'revoke']).default('release'))
    .option(...jsonOption)
    .action(async (options: { serial: string; days: number; then: 'release' | 'revoke'; json?: boolean }) => {
      const args = LifecycleArgs.suspend.parse({ serial: options.serial, days: options.days, afterHold: options.then });
      await withDesk(cli, false, async ({ lifecycle }) => report(cli, await lifecycle.suspend(args.serial, args.days, args.afterHold, cli.operation), `Card ${args.serial} is suspended for ${args.days} days.`, options.json === true));
    });

  card
    .command('resume')
    .description('lift the suspension of a card')
    .requiredOption('--serial <serial>', 'the card')
    .option(...jsonOption)
    .action(async (options: { serial: string; json?: boolean }) => {
      await withDesk(cli, false, async ({ lifecycle }) => report(cli, await lifecycle.resume(options.serial, cli.operation), `Card ${options.serial} is active again.`, options.json === true));
    });

  card
    .command('revoke')
    .description('revoke a card and all its certificates')
    .requiredOption('--serial <serial>', 'the card')
    .addOption(new Option('--reason <reason>', 'RFC 5280 reason').choices(LifecycleArgs.revoke.shape.reason.options).default('unspecified'))
    .option(...jsonOption)
    .action(async (options: { serial: string; reason: string; json?: boolean }) => {
      const reason = RevocationReasonSchema.parse(options.reason);
      await withDesk(cli, false, async ({ lifecycle }) => report(cli, await lifecycle.revoke(options.serial, reason, cli.operation), `Card ${options.serial} is revoked.`, options.json === true));
    });

  card
    .command('report-lost')
    .description('a card was lost or stolen: revoke it (key compromise); replace it next with `card replace --lost SERIAL`')
    .requiredOption('--serial <serial>', 'the card')
    .option('--stolen', 'it was stolen rather than lost')
    .option(...jsonOption)
    .action(async (options: { serial: string; stolen?: boolean; json?: boolean }) => {
      await withDesk(cli, false, async ({ lifecycle }) =>
        report(cli, await lifecycle.reportLost(options.serial, options.stolen === true, cli.operation), `Card ${options.serial} is reported ${options.stolen === true ? 'stolen' : 'lost'} and revoked.`, options.json === true),
      );
    });

  card
    .command('expiring')
    .description('certificates that expire soon (warning levels 60, 30, 14 and 7 days)')
    .option('--days <n>', 'look this many days ahead (default 60)', positiveInteger)
    .option(...jsonOption)
    .action(async (options: { days?: number; json?: boolean }) => {
      await withDesk(cli, false, ({ lifecycle }) => {
        const list = lifecycle.expiring(options.days ?? 60);
        if (options.json === true) printJson(cli, list);
        else if (list.length === 0) cli.out('No certificate expires in that time.\n');
        else for (const c of list) cli.out(`${String(c.daysLeft).padStart(3)} days  ≤${String(c.window).padEnd(2)}  ${c.notAfter.slice(0, 10)}  ${c.profile.padEnd(15)} card ${c.cardSerial ?? '-'}  ${c.holderName ?? ''}  ${c.serial}\n`);
        return Promise.resolve();
      });
    });

  card
    .command('policy')
    .description('show the issuance policy, or change it with the options')
    .option('--pin-length <n>', 'digits of the random PIN (6-8)', positiveInteger)
    .option('--pin-tries <n>', 'PIN tries (1-15)', positiveInteger)
    .option('--puk-tries <n>', 'PUK tries (1-15)', positiveInteger)
    .addOption(new Option('--key-algorithm <algorithm>', 'algorithm of the keys (9E follows 9A)').choices(AsymmetricAlgorithmSchema.options))
    .addOption(new Option('--escrow <on|off>', 'escrow the encryption keys').choices(['on', 'off']))
    .addOption(new Option('--user-number-to <recipient>', 'who gets the user-number letter').choices(['holder', 'contact-person']))
    .option('--letter-sender <organisation>', 'the organisation printed on the letters')
    .addOption(
      new Option(
        '--activation <mode>',
        'holder-signs: a new card waits until its holder signs the contract with it (PIN from the PIN letter); holder-chooses-pin: the same, but the holder chooses the PIN at the desk (the letter has the PUK only); at-issuance: active at once',
      ).choices(Object.keys(activationOptions)),
    )
    .option('--mobile-labels <list>', 'a new mobile ID’s certificates: auth,sign,enc (comma-separated)')
    .option('--mobile-days <n>', 'a new mobile ID’s validity in days', positiveInteger)
    .addOption(new Option('--mobile-delivery <how>', 'a new mobile ID’s QR code: on screen or by email').choices(['screen', 'email']))
    .addOption(new Option('--mobile-recover-key <on|off>', 'recover the escrowed encryption key onto the phone').choices(['on', 'off']))
    .addOption(new Option('--mobile-notify <on|off>', 'tell the holder when the mobile ID is active or an enrollment is refused').choices(['on', 'off']))
    .action(async (options: { pinLength?: number; pinTries?: number; pukTries?: number; keyAlgorithm?: string; escrow?: string; userNumberTo?: string; letterSender?: string; activation?: string; mobileLabels?: string; mobileDays?: number; mobileDelivery?: string; mobileRecoverKey?: string; mobileNotify?: string }) => {
      await withDesk(cli, false, async ({ lifecycle }) => {
        const mobileChange = {
          ...(options.mobileLabels === undefined ? {} : { labels: options.mobileLabels.split(',').map((label) => label.trim()).filter((label) => label !== '') }),
          ...(options.mobileDays === undefined ? {} : { validityDays: options.mobileDays }),
          ...(options.mobileDelivery === undefined ? {} : { delivery: options.mobileDelivery }),
          ...(options.mobileRecoverKey === undefined ? {} : { recoverKey: options.mobileRecoverKey === 'on' }),
          ...(options.mobileNotify === undefined ? {} : { notify: options.mobileNotify === 'on' }),
        };
        // The mobile ID defaults change one by one: the rest stay as the policy has them.
        const mobileId = Object.keys(mobileChange).length === 0 ? undefined : { ...mobileIdDefaults(lifecycle.policy()), ...mobileChange };
        const algorithm = options.keyAlgorithm === undefined ? undefined : AsymmetricAlgorithmSchema.parse(options.keyAlgorithm);
        const change = IssuancePolicySchema.partial().parse({
          pinLength: options.pinLength,
          pinTries: options.pinTries,
          pukTries: options.pukTries,
          keys: algorithm === undefined ? undefined : { authentication: algorithm, signature: algorithm, encryption: algorithm },
          escrowEncryptionKeys: options.escrow === undefined ? undefined : options.escrow === 'on',
          userNumberRecipient: options.userNumberTo === undefined ? undefined : options.userNumberTo === 'contact-person' ? 'contactPerson' : 'holder',
          letterSender: options.letterSender,
          activation: options.activation === undefined ? undefined : activationOptions[options.activation],
          mobileId,
        });
        const changed = Object.values(change).some((value) => value !== undefined);
        printJson(cli, changed ? await lifecycle.updatePolicy(change, cli.operation) : lifecycle.policy());
      });
    });
}
