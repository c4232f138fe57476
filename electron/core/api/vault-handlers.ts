/**
 * The contract's vault, CA, certificate and directory channels, mapped to the vault services.
 * Handlers stay thin: turn the call into an OperationContext, hand passphrases over as Buffers
 * that are zeroed right after (key material: never log them), and shape the results.
 */
import type { ContractHandlers } from './handlers';
import { operationOf, type CallContext } from './context';
import { CardDeskError } from '../../shared/errors';
import { exportCertificate } from '../ca/export';
import type { VaultServices } from '../vault/vault-services';
import { join } from 'node:path';

type VaultChannel = Extract<keyof ContractHandlers, `vault:${string}` | `ca:${string}` | `certificates:${string}` | `holders:${string}` | `directory:${string}`>;

async function withSecret<T>(text: string, use: (secret: Buffer) => Promise<T>): Promise<T> {
  const secret = Buffer.from(text, 'utf8');
  try {
    return await use(secret);
  } finally {
    secret.fill(0);
  }
}

export function vaultHandlers(services: VaultServices, operatorId: string): Pick<ContractHandlers, VaultChannel> {
  const { vault, directory, ca, crl, certificates, ocsp } = services;
  const op = (context: CallContext) => operationOf(context, operatorId);
  const caStatus = () => ca.status(ocsp.state());
  const download = (file: { fileName: string; mediaType: string; data: Buffer }) => ({ fileName: file.fileName, mediaType: file.mediaType, base64: file.data.toString('base64') });

  return {
    'vault:status': () => vault.status(),
    'vault:init': async ({ passphrase }, context) => {
      await withSecret(passphrase, (secret) => vault.init(secret, op(context)));
      return vault.status();
    },
    'vault:unlock': async ({ passphrase }, context) => {
      const result = await withSecret(passphrase, (secret) => vault.unlock(secret, op(context), context.source));
      if (result.ok) {
        await certificates.applyExpiredHolds(op(context));
        // The network listener's OCSP answers need the OCSP key, unsealed now.
        ocsp.prepare();
      }
      return result;
    },
    'vault:issueRecoveryCode': async (_args, context) => ({ code: await vault.issueRecoveryCode(op(context)) }),
    'vault:recover': async ({ passphrase, code }, context) => {
      const result = await withSecret(passphrase, (secret) => vault.recover(secret, code, op(context), context.source));
      if (result.ok) {
        await certificates.applyExpiredHolds(op(context));
        ocsp.prepare();
      }
      return result;
    },
    'vault:lock': async (_args, context) => {
      await vault.lock(op(context));
      return vault.status();
    },
    'vault:updateSettings': (args, context) => vault.updateSettings(args, op(context)),
    'vault:backup': async (_args, context) => {
      const file = await vault.backup(op(context));
      const info = (await vault.listBackups()).find((backup) => file.endsWith(backup.fileName));
      if (info === undefined) throw new CardDeskError('INTERNAL', 'The backup was written but cannot be found.');
      return info;
    },
    'vault:listBackups': () => vault.listBackups(),
    'vault:restore': ({ fileName, passphrase }, context) => {
      // fileName is a bare name (the contract's pattern): it cannot leave the backups folder.
      return withSecret(passphrase, (secret) => vault.restore(join(vault.backupDir, fileName), secret, op(context), context.source));
    },

    'ca:status': () => caStatus(),
    'ca:init': async ({ pkcs11, ...options }, context) => {
      if (pkcs11 === null) await ca.init(options, op(context));
      else await withSecret(pkcs11.pin, (pin) => ca.init(options, op(context), { module: pkcs11.module, tokenLabel: pkcs11.tokenLabel, pin }));
      await crl.publish(op(context));
      return caStatus();
    },
    'ca:import': async ({ pkcs12, password, publicBaseUrl }, context) => {
      await ca.import(Buffer.from(pkcs12, 'base64'), password, { publicBaseUrl }, op(context));
      await crl.publish(op(context));
      return caStatus();
    },
    'ca:publishCrl': (_args, context) => crl.publish(op(context)),
    'ca:setPublicBaseUrl': async ({ publicBaseUrl }, context) => {
      await ca.setPublicBaseUrl(publicBaseUrl, op(context));
      return caStatus();
    },
    'ca:startOcsp': async ({ port }, context) => {
      await ocsp.start(port, op(context));
      return caStatus();
    },
    'ca:stopOcsp': async (_args, context) => {
      await ocsp.stop(op(context));
      return caStatus();
    },
    'ca:downloadCertificates': ({ format }) => {
      const chain = ca.chain();
      const [issuing = Buffer.alloc(0), ...rest] = chain;
      return download(exportCertificate(issuing, rest, format, 'issuing-ca'));
    },

    'certificates:list': (args) => certificates.list(args),
    'certificates:get': ({ serial }) => certificates.detail(serial),
    'certificates:issue': (args, context) => certificates.issue(args, op(context)),
    'certificates:renew': ({ serial, request, validityDays }, context) => certificates.renew(serial, request, validityDays, op(context)),
    'certificates:revoke': ({ serial, reason }, context) => certificates.revoke(serial, reason, op(context)),
    'certificates:suspend': ({ serial, days, afterHold }, context) => certificates.suspend(serial, days, afterHold, op(context)),
    'certificates:resume': ({ serial }, context) => certificates.resume(serial, op(context)),
    'certificates:download': async ({ serial, format }, context) => download(await certificates.download(serial, format, op(context))),

    'holders:search': (args) => directory.search(args),
    'holders:get': ({ id }) => ({
      holder: directory.get(id),
      cards: directory.cardsOf(id),
      certificates: certificates.list({ query: '', holderId: id, offset: 0, limit: 500 }).items,
    }),
    'holders:create': (input, context) => directory.create(input, op(context)),
    'holders:update': ({ id, version, holder }, context) => directory.update(id, version, holder, op(context)),
    'holders:importCsv': ({ csv }, context) => directory.importCsv(csv, op(context)),
    'holders:exportCsv': async (query, context) => {
      const csv = await directory.exportCsv(query, op(context));
      return { fileName: 'holders.csv', mediaType: 'text/csv', base64: Buffer.from(csv, 'utf8').toString('base64') };
    },
    'directory:registerCard': ({ serial, holderId }, context) => directory.registerCard(serial, holderId, op(context)),
  };
}
