/**
 * Every `carddesk` command that changes state, the audit action it records, and the integration
 * test that runs it and then reads the action back from the audit log (`audit export`). The
 * commands that change nothing say why. test/integration/cli-audit.test.ts fails for a command
 * that is in neither list.
 */
import type { AuditAction } from '../../electron/shared/schemas/audit';
import type { CliResult } from './cli';

type Test = 'cli-audit' | 'vault-cli' | 'card-lifecycle-cli' | 'audit-anchor-cli' | 'letters-cli' | 'letters-print' | 'second-factor-cli' | 'notify-cli' | 'holder-account-cli' | 'recovery-code-cli' | 'mobile-est' | 'mobile-migrate' | 'operator-cli' | 'operator-signin-cli' | 'team-db';

export const cliWrites: Readonly<Record<string, { action: AuditAction; test: Test }>> = {
  'card verify-pin': { action: 'card.pinVerify', test: 'cli-audit' },
  'card change-pin': { action: 'card.pinChange', test: 'cli-audit' },
  'card change-puk': { action: 'card.pukChange', test: 'cli-audit' },
  'card unblock': { action: 'card.unblockWithPuk', test: 'cli-audit' },
  'card set-retries': { action: 'card.retryCountersSet', test: 'cli-audit' },
  'card policy': { action: 'settings.change', test: 'cli-audit' },
  'vault passphrase': { action: 'vault.passphraseChange', test: 'cli-audit' },
  'ca import': { action: 'ca.import', test: 'cli-audit' },
  'ca renew': { action: 'ca.certificateRenew', test: 'cli-audit' },
  'ca ocsp': { action: 'ca.ocspStart', test: 'cli-audit' },
  'ca base-url': { action: 'settings.change', test: 'cli-audit' },
  'listener set': { action: 'settings.change', test: 'cli-audit' },
  'holder update': { action: 'holder.update', test: 'cli-audit' },
  'holder card-add': { action: 'card.issue', test: 'cli-audit' },
  'credential issue': { action: 'operator.credentialIssued', test: 'cli-audit' },
  'credential revoke': { action: 'operator.credentialRevoked', test: 'cli-audit' },
  approve: { action: 'operator.approved', test: 'operator-signin-cli' },
  signin: { action: 'operator.signedIn', test: 'operator-signin-cli' },
  signout: { action: 'operator.credentialRevoked', test: 'operator-signin-cli' },
  'audit verify': { action: 'audit.verify', test: 'cli-audit' },
  'audit export': { action: 'audit.export', test: 'cli-audit' },
  'audit head': { action: 'audit.headExport', test: 'audit-anchor-cli' },
  'audit acknowledge-loss': { action: 'audit.lossAcknowledge', test: 'audit-anchor-cli' },
  'vault init': { action: 'vault.init', test: 'vault-cli' },
  'vault unlock': { action: 'vault.unlock', test: 'vault-cli' },
  'vault config': { action: 'settings.change', test: 'vault-cli' },
  'vault backup': { action: 'vault.backup', test: 'vault-cli' },
  'vault restore': { action: 'vault.restore', test: 'vault-cli' },
  'ca init': { action: 'ca.init', test: 'vault-cli' },
  'ca issue': { action: 'ca.certificateIssue', test: 'vault-cli' },
  'ca revoke': { action: 'ca.certificateRevoke', test: 'vault-cli' },
  'ca suspend': { action: 'ca.certificateSuspend', test: 'vault-cli' },
  'ca resume': { action: 'ca.certificateResume', test: 'vault-cli' },
  'ca crl': { action: 'ca.crlSign', test: 'vault-cli' },
  'ca export': { action: 'ca.certificateDownload', test: 'vault-cli' },
  'holder add': { action: 'holder.create', test: 'vault-cli' },
  'holder import': { action: 'holder.import', test: 'vault-cli' },
  'holder export': { action: 'holder.export', test: 'vault-cli' },
  'card issue': { action: 'card.issue', test: 'card-lifecycle-cli' },
  'card resume-issue': { action: 'card.issue', test: 'card-lifecycle-cli' },
  'card replace': { action: 'card.replace', test: 'card-lifecycle-cli' },
  'card renew': { action: 'card.renew', test: 'card-lifecycle-cli' },
  'card retire': { action: 'card.retire', test: 'card-lifecycle-cli' },
  'card reset-pin': { action: 'card.pinReset', test: 'card-lifecycle-cli' },
  'card unblock-offline': { action: 'card.unblockChallenge', test: 'card-lifecycle-cli' },
  'card unblock-response': { action: 'card.unblockResponse', test: 'card-lifecycle-cli' },
  'card suspend': { action: 'card.suspend', test: 'card-lifecycle-cli' },
  'card resume': { action: 'card.resume', test: 'card-lifecycle-cli' },
  'card revoke': { action: 'card.revoke', test: 'card-lifecycle-cli' },
  'card report-lost': { action: 'card.reportLost', test: 'card-lifecycle-cli' },
  'card activate': { action: 'card.activate', test: 'card-lifecycle-cli' },
  'contract export': { action: 'contract.download', test: 'card-lifecycle-cli' },
  'contract template set': { action: 'contract.templateChange', test: 'cli-audit' },
  'contract template reset': { action: 'contract.templateChange', test: 'cli-audit' },
  'letter send': { action: 'letter.send', test: 'letters-cli' },
  'letter mark-sent': { action: 'letter.send', test: 'letters-cli' },
  'letter folder': { action: 'settings.change', test: 'letters-cli' },
  'letter printer': { action: 'settings.change', test: 'letters-print' },
  'holder contact change': { action: 'account.contactChange', test: 'holder-account-cli' },
  'holder contact verify': { action: 'account.contactVerify', test: 'holder-account-cli' },
  'holder document submit': { action: 'account.documentSubmit', test: 'holder-account-cli' },
  'holder document approve': { action: 'account.documentApprove', test: 'holder-account-cli' },
  'holder document reject': { action: 'account.documentReject', test: 'holder-account-cli' },
  'holder erc-reset': { action: 'account.recoveryCodeIssue', test: 'recovery-code-cli' },
  'holder totp enrol': { action: 'secondFactor.enrol', test: 'second-factor-cli' },
  'holder totp remove': { action: 'secondFactor.remove', test: 'second-factor-cli' },
  'otp-token import': { action: 'otpToken.import', test: 'second-factor-cli' },
  'otp-token assign': { action: 'otpToken.assign', test: 'second-factor-cli' },
  'otp-token unassign': { action: 'otpToken.unassign', test: 'second-factor-cli' },
  'notify smtp': { action: 'settings.change', test: 'notify-cli' },
  'notify sms': { action: 'settings.change', test: 'notify-cli' },
  'notify test': { action: 'notify.send', test: 'notify-cli' },
  'notify retry': { action: 'notify.retry', test: 'notify-cli' },
  'mobile issue': { action: 'mobile.issue', test: 'mobile-est' },
  'mobile lock': { action: 'mobile.lock', test: 'mobile-est' },
  'mobile unlock': { action: 'mobile.unlock', test: 'mobile-est' },
  'mobile revoke': { action: 'mobile.revoke', test: 'mobile-est' },
  'mobile cancel': { action: 'mobile.cancel', test: 'mobile-est' },
  'mobile migrate': { action: 'mobile.migrate', test: 'mobile-migrate' },
  'operator add': { action: 'operator.added', test: 'operator-cli' },
  'operator roles': { action: 'operator.rolesChanged', test: 'operator-cli' },
  'operator suspend': { action: 'operator.suspended', test: 'operator-cli' },
  'operator resume': { action: 'operator.resumed', test: 'operator-cli' },
  'operator remove': { action: 'operator.removed', test: 'operator-cli' },
  'db init': { action: 'database.init', test: 'team-db' },
  'db migrate': { action: 'database.migrate', test: 'team-db' },
  'db import': { action: 'database.import', test: 'team-db' },
};

export const cliReads: Readonly<Record<string, string>> = {
  version: 'prints the version',
  readers: 'lists readers',
  'card status': 'reads the card',
  'card record': 'reads the directory',
  'card expiring': 'reads the certificates',
  // It serves a virtual card to the operating system for other programs; the desk's state and
  // its cards are untouched (what those programs do with the card is theirs to record).
  'vcard serve': 'no desk state',
  'vault status': 'reads the vault status',
  'ca status': 'reads the CA status',
  'ca list': 'lists certificates',
  'listener status': 'reads the network listener setting',
  // Serves what the desk publishes (CRLs, CA certificate, OCSP) and EST until interrupted; each OCSP
  // answer is recorded by the responder, each EST enrollment by the mobile ID service (as the holder
  // or the system, not the operator), and turning the listener on is `listener set`'s event.
  'listener run': 'no desk state',
  'holder list': 'lists holders',
  'contract list': 'lists contracts',
  'contract show': 'reads a contract record and checks its signatures',
  'contract verify': "checks a file's signatures",
  'contract template show': 'prints a template',
  'holder show': 'shows a holder',
  'letter list': "lists a holder's letters",
  'otp-token list': 'lists imported OATH tokens',
  'holder contact show': 'shows contact data and its verified flags',
  // With --scan-out it writes the scan to a file; the viewing is recorded by the service (account.documentView).
  'holder document show': 'shows the document and any pending submission',
  'notify outbox': 'lists the outbox',
  // Sends what is due, as the app's sender does: a message given up after its last try is recorded (notify.send).
  'notify send': 'sends queued messages',
  'mobile list': "lists a holder's mobile IDs",
  'mobile show': 'shows a mobile ID',
  'credential list': 'lists credentials, never their secrets',
  'operator list': 'lists the operator accounts',
  // The phone's side (the reference client): it writes only its own folder of PKCS#12 files; the
  // desk records each enrollment it answers (mobile.enroll), as it does for any EST client.
  'mobile enroll': 'no desk state',
  'mobile reenroll': 'no desk state',
  'db status': 'reads the team database\'s schema version and stations',
};

/** RFC 4180 rows (no quoted line breaks in these tests). */
export function csvRows(text: string): Record<string, string>[] {
  const [header, ...rows] = text.trimEnd().split('\r\n').map((row) => row.split(','));
  return rows.map((cells) => Object.fromEntries((header ?? []).map((name, i) => [name, cells[i] ?? ''])));
}

/**
 * The write commands of `test` whose action the audit log lacks (as `audit export` shows it: a
 * success by an operator through the CLI).
 */
export async function unrecordedCommands(test: Test, run: (args: string[]) => Promise<CliResult>): Promise<string[]> {
  const exported = await run(['audit', 'export', '--csv', '--outcome', 'success']);
  if (exported.code !== 0) throw new Error(`audit export failed: ${exported.stderr}`);
  const recorded = new Set(csvRows(exported.stdout).filter((row) => row['channel'] === 'cli' && row['actorKind'] === 'operator').map((row) => row['action']));
  return Object.entries(cliWrites)
    .filter(([, write]) => write.test === test && !recorded.has(write.action))
    .map(([name]) => name);
}
