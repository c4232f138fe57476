/**
 * Puts a key and a certificate into a slot of a PIV card the way an issuer would: the key is
 * generated on the card by CardDesk's client, the certificate is issued by a test CA with OpenSSL
 * and written back to the card. Used by the conformance tests and the card benchmark.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApduTransport } from '../../electron/core/piv/apdu-transport';
import { PivClient } from '../../electron/core/piv/piv-client';
import type { CardConnector } from '../../electron/core/readers/card-connection';
import { FACTORY, type AsymmetricAlgorithm } from '../../electron/smartcard/piv';
import { run } from './run';

export function toPem(der: Uint8Array, label: string): string {
  const body = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${body}${body.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

/** Runs `work` with CardDesk's PIV client on the card in `reader`, management key authenticated. */
export async function withAdminClient<T>(connector: CardConnector, reader: string, work: (client: PivClient) => Promise<T>): Promise<T> {
  const connection = await connector.connect(reader);
  try {
    const client = new PivClient(new ApduTransport(connection));
    await client.select();
    const auth = await client.authenticateManagementKey('tdes', Uint8Array.from(FACTORY.MANAGEMENT_KEY));
    if (!auth.ok) throw new Error('the card refused the factory management key');
    return await work(client);
  } finally {
    await connection.close('reset');
  }
}

export interface TestCa {
  readonly certificate: string;
  readonly key: string;
  readonly dir: string;
}

export async function createTestCa(dir: string): Promise<TestCa> {
  const ca = { certificate: join(dir, 'ca.pem'), key: join(dir, 'ca.key'), dir };
  const made = await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', ca.key, '-out', ca.certificate, '-subj', '/CN=CardDesk Test CA', '-days', '30']);
  if (made.code !== 0) throw new Error(`openssl could not make the test CA: ${made.stderr}`);
  writeFileSync(join(dir, 'leaf.cnf'), '[leaf]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment,keyAgreement\n');
  return ca;
}

/** Generates a key in `slot`, has the test CA certify it, writes the certificate; returns the certificate's DER path. */
export async function provisionSlot(connector: CardConnector, reader: string, ca: TestCa, slot: string, algorithm: AsymmetricAlgorithm, options: { serial?: string } = {}): Promise<string> {
  const spki = await withAdminClient(connector, reader, (client) => client.generateKey(slot, algorithm));
  const publicKey = join(ca.dir, `${slot}.pub.pem`);
  const certificate = join(ca.dir, `${slot}.der`);
  writeFileSync(publicKey, toPem(spki, 'PUBLIC KEY'));
  const issued = await run('openssl', [
    'x509', '-new', '-subj', `/CN=CardDesk test ${slot}`, '-force_pubkey', publicKey, '-CA', ca.certificate, '-CAkey', ca.key,
    '-days', '30', '-extfile', join(ca.dir, 'leaf.cnf'), '-extensions', 'leaf', '-outform', 'DER', '-out', certificate,
    ...(options.serial === undefined ? [] : ['-set_serial', `0x${options.serial}`]),
  ]);
  if (issued.code !== 0) throw new Error(`openssl could not certify ${slot}: ${issued.stderr}`);
  await withAdminClient(connector, reader, (client) => client.writeCertificate(slot, readFileSync(certificate)));
  return certificate;
}
