/**
 * What each CLI command needs (issue 17 §3), with the same permissions the contract's channels
 * declare for the same work (electron/shared/contract.ts). The CLI checks it when the command
 * opens the vault: in a desk with operators, the CLI acts only for a signed-in operator
 * (`carddesk signin`) or an automation credential, and only within their roles.
 *
 * `open` commands touch nothing of the desk's: the version and the readers, a card's own PIN, PUK
 * and management key (the card is the control: whoever runs them must know those; the offline
 * unblock is the holder's side, the helpdesk's response is `card unblock-response`), the test card server, the reference
 * phone client, signing in, and the audit log's verification and export, which read files the
 * account can read anyway and which an outside auditor must be able to run.
 * test/unit/cli-permissions.test.ts fails for a command missing here.
 */
import type { ChannelPermission } from '../shared/permissions';
import type { DualAction } from '../core/operators/dual-control';

export const commandPermissions: Readonly<Record<string, ChannelPermission>> = {
  version: 'open',
  readers: 'open',
  signin: 'open',
  signout: 'open',

  'card status': 'open',
  'card verify-pin': 'open',
  'card change-pin': 'open',
  'card change-puk': 'open',
  'card unblock': 'open',
  'card unblock-offline': 'open',
  'card set-retries': 'open',
  'card issue': 'card.issue',
  'card resume-issue': 'card.issue',
  'card replace': 'card.issue',
  'card activate': 'card.issue',
  'card record': 'directory.read',
  'card renew': 'card.issue',
  'card retire': 'card.issue',
  'card reset-pin': 'card.service',
  'card unblock-response': 'card.service',
  'card suspend': 'card.service',
  'card resume': 'card.service',
  'card revoke': 'card.issue',
  'card report-lost': 'card.service',
  'card expiring': 'directory.read',
  'card policy': 'ca.admin',

  'vcard serve': 'open',

  'vault init': 'open',
  'vault unlock': 'open',
  'vault status': 'open',
  'vault backup': 'ca.admin',
  'vault restore': 'ca.admin',
  'vault passphrase': 'ca.admin',
  'vault config': 'ca.admin',

  'ca init': 'ca.admin',
  'ca import': 'ca.admin',
  'ca issue': 'card.issue',
  'ca renew': 'ca.admin',
  'ca revoke': 'card.issue',
  'ca suspend': 'card.service',
  'ca resume': 'card.service',
  'ca crl': 'ca.admin',
  'ca base-url': 'ca.admin',
  'ca ocsp': 'ca.admin',
  'ca export': 'directory.read',
  'ca list': 'directory.read',
  'ca status': 'open',

  'listener status': 'ca.admin',
  'listener set': 'ca.admin',
  'listener run': 'ca.admin',

  'holder add': 'directory.write',
  'holder update': 'directory.write',
  'holder list': 'directory.read',
  'holder show': 'directory.read',
  'holder import': 'directory.write',
  'holder export': 'directory.write',
  'holder card-add': 'card.issue',
  'holder contact show': 'directory.read',
  'holder contact change': 'card.service',
  'holder contact verify': 'card.service',
  'holder document show': 'directory.read',
  'holder document submit': 'directory.write',
  'holder document approve': 'directory.write',
  'holder document reject': 'directory.write',
  'holder erc-reset': 'card.service',
  'holder totp enrol': 'card.service',
  'holder totp remove': 'card.service',

  'letter list': 'directory.read',
  'letter send': 'card.issue',
  'letter mark-sent': 'card.issue',
  'letter folder': 'ca.admin',
  'letter printer': 'ca.admin',

  'contract list': 'directory.read',
  'contract show': 'directory.read',
  'contract export': 'directory.read',
  'contract verify': 'directory.read',
  'contract template show': 'directory.read',
  'contract template set': 'ca.admin',
  'contract template reset': 'ca.admin',

  'audit verify': 'open',
  'audit export': 'open',
  'audit head': 'open',
  'audit acknowledge-loss': 'ca.admin',

  'otp-token import': 'ca.admin',
  'otp-token assign': 'card.service',
  'otp-token unassign': 'card.service',
  'otp-token list': 'directory.read',

  'notify smtp': 'ca.admin',
  'notify sms': 'ca.admin',
  'notify test': 'ca.admin',
  'notify outbox': 'ca.admin',
  'notify retry': 'ca.admin',
  'notify send': 'ca.admin',

  'mobile issue': 'card.issue',
  'mobile migrate': 'card.issue',
  'mobile list': 'directory.read',
  'mobile show': 'directory.read',
  'mobile lock': 'card.service',
  'mobile unlock': 'card.service',
  'mobile revoke': 'card.issue',
  'mobile cancel': 'card.issue',
  'mobile enroll': 'open',
  'mobile reenroll': 'open',

  'credential issue': 'operators.manage',
  'credential list': 'operators.manage',
  'credential revoke': 'operators.manage',
  'operator list': 'operators.manage',
  'operator add': 'operators.manage',
  'operator roles': 'operators.manage',
  'operator suspend': 'operators.manage',
  'operator resume': 'operators.manage',
  'operator remove': 'operators.manage',
  approve: 'open',

  // The team database (issue 18): its status reads only the database, which its URL already opens.
  'db init': 'ca.admin',
  'db migrate': 'ca.admin',
  'db import': 'ca.admin',
  'db status': 'open',
};

/**
 * Commands under two-person control (issue 17 §4): which action, and what the approving second
 * operator's roles must permit. A replacement always brings the lost card's escrowed keys along.
 */
export const dualControlCommands: Readonly<Record<string, { action: DualAction; approver: ChannelPermission }>> = {
  'card replace': { action: 'key.recover', approver: 'key.recover' },
  'ca init': { action: 'ca.create', approver: 'ca.admin' },
  'ca import': { action: 'ca.import', approver: 'ca.admin' },
  'vault restore': { action: 'vault.restore', approver: 'ca.admin' },
  'vault passphrase': { action: 'vault.passphrase', approver: 'ca.admin' },
  'operator roles': { action: 'operator.roles', approver: 'operators.manage' },
};

/** "card issue" for the `issue` subcommand of `card`. */
export function commandPath(command: { name(): string; parent: unknown }): string {
  const names: string[] = [];
  for (let current = command as { name(): string; parent: unknown } | null; current?.parent; current = current.parent as typeof current) names.unshift(current.name());
  return names.join(' ');
}
