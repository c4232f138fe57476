/**
 * A real SMTP server on 127.0.0.1 for the notification tests (the `smtp-server` package), whose
 * received messages are parsed with `mailparser`; and a throwaway certificate for its TLS.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  readonly parsed: ParsedMail;
  readonly messageId: string;
  readonly envelopeTo: string[];
  readonly user: string | undefined;
  readonly secure: boolean;
}

export interface MailServer {
  readonly port: number;
  readonly received: ReceivedMail[];
  /** Called once a message was accepted (its 250 sent). */
  onAccepted: ((mail: ReceivedMail) => void) | null;
  close(): Promise<void>;
}

export async function startMailServer(options: { secure?: boolean; key?: Buffer; cert?: Buffer; users?: Record<string, string>; starttls?: boolean } = {}): Promise<MailServer> {
  const received: ReceivedMail[] = [];
  const server: MailServer = { port: 0, received, onAccepted: null, close: () => Promise.resolve() };
  const users = options.users;
  const config: SMTPServerOptions = {
    secure: options.secure === true,
    ...(options.key === undefined ? {} : { key: options.key, cert: options.cert }),
    disabledCommands: options.starttls === true || options.secure === true ? [] : ['STARTTLS'],
    authOptional: users === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (users !== undefined && auth.username !== undefined && users[auth.username] === auth.password) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        simpleParser(Buffer.concat(chunks))
          .then((parsed) => {
            const mail: ReceivedMail = {
              parsed,
              messageId: parsed.messageId ?? '',
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              user: typeof session.user === 'string' ? session.user : undefined,
              secure: session.secure,
            };
            received.push(mail);
            callback();
            server.onAccepted?.(mail);
          })
          .catch((error: unknown) => callback(error as Error));
      });
    },
  };
  const smtp = new SMTPServer(config);
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(0, '127.0.0.1', () => resolve());
  });
  const address = smtp.server.address() as AddressInfo;
  return Object.assign(server, { port: address.port, close: () => new Promise<void>((resolve) => smtp.close(() => resolve())) });
}

/** A self-signed certificate for 127.0.0.1 and its key, made with openssl for this run. */
export function throwawayCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'carddesk-smtp-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
