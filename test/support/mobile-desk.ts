/**
 * A desk in browser mode ready for mobile IDs: a vault, a CA, one holder (Grace Hopper, with an
 * email address) and the network listener serving CRL/OCSP over HTTP and EST over HTTPS on
 * 127.0.0.1, set through the desk's own channels as an operator sets them.
 */
import { freePort } from './free-port';
import { openHostSession, type Session } from './host-session';
import { startHostProcess, type HostProcess } from './host-process';
import { holderInput, PASSPHRASE } from './vault-fixtures';

export interface MobileDesk {
  readonly host: HostProcess;
  readonly session: Session;
  readonly holderId: string;
  /** The listener's HTTP port (CRL, OCSP). */
  readonly port: number;
  /** Calls a channel and returns its value; throws on an error envelope. */
  readonly step: (channel: Parameters<Session['call']>[0], args?: unknown) => Promise<unknown>;
}

export async function startMobileDesk(): Promise<MobileDesk> {
  const host = await startHostProcess({ env: { PCSCLITE_CSOCK_NAME: '/nonexistent/no-pcscd.comm' } });
  const session = await openHostSession(host);
  const step = async (channel: Parameters<Session['call']>[0], args?: unknown): Promise<unknown> => {
    const { envelope } = await session.call(channel, args);
    if (!envelope.ok) throw new Error(`${channel}: ${JSON.stringify(envelope)}`);
    return envelope.value;
  };
  await step('vault:init', { passphrase: PASSPHRASE });
  await step('ca:init', { algorithm: 'p384', rootSubject: 'CN=Phone Root, O=CardDesk Test', issuingSubject: 'CN=Phone Issuing, O=CardDesk Test' });
  const holderId = ((await step('holders:create', holderInput(1, { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.org' }))) as { holder: { id: string } }).holder.id;
  const port = await freePort();
  const tlsPort = await freePort();
  await step('settings:setNetworkListener', { enabled: true, address: '127.0.0.1', port, tlsPort, publicHost: '127.0.0.1' });
  // HTTPS starts once the listener has its server certificate from the CA.
  for (let tries = 0; ((await step('settings:networkListener')) as { tlsListening?: unknown }).tlsListening === null; tries++) {
    if (tries === 300) throw new Error('the listener did not start HTTPS in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { host, session, holderId, port, step };
}
