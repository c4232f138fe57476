/**
 * Notifications over real servers (issue 15 §6, §8): a real SMTP server on 127.0.0.1
 * (`smtp-server`) receives what the outbox's sender sends through nodemailer; each message is
 * parsed with `mailparser` and checked for its words in the holder's language, its Message-ID
 * (the one made at queue time), its sender and the absence of secrets. STARTTLS and implicit TLS
 * with a throwaway certificate; an SMS gateway as a local HTTP receiver (POST JSON, GET query).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HolderLanguage, NotificationKind } from '../../electron/core/account/account-ports';
import { notificationTexts } from '../../electron/core/notify/notification-texts';
import { startMailServer, throwawayCertificate, type MailServer } from '../support/mail-server';
import { notifyRig, type NotifyRig } from '../support/notify-rig';
import { operator } from '../support/vault-fixtures';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function mailServer(options: Parameters<typeof startMailServer>[0] = {}): Promise<MailServer> {
  const server = await startMailServer(options);
  cleanups.push(() => server.close());
  return server;
}

function rig(options: Parameters<typeof notifyRig>[0] = {}): NotifyRig {
  const r = notifyRig(options);
  cleanups.push(() => r.close());
  return r;
}

const PASSWORD = 'smtp-Pa55word!';

describe('email over a real SMTP server', () => {
  it('delivers each kind in the holder’s language with its own Message-ID, from the desk’s address, with no secret in it', async () => {
    const server = await mailServer({ users: { desk: PASSWORD } });
    const r = rig();
    await r.settings.set({ smtp: { host: '127.0.0.1', port: server.port, security: 'none', user: 'desk', password: PASSWORD, fromAddress: 'desk@carddesk.example', fromName: 'CardDesk' } }, operator);
    const plan: { kind: NotificationKind; language: HolderLanguage; params: Record<string, string> }[] = [
      { kind: 'cardIssued', language: 'en', params: { name: 'Ana Berisha', serial: 'CD-1001' } },
      { kind: 'cardSuspended', language: 'sq', params: { name: 'Arben Krasniqi', serial: 'CD-1002' } },
      { kind: 'certificateExpiring', language: 'it', params: { name: 'Giulia Rossi', serial: 'CD-1003', days: '14', date: '2027-01-20' } },
      { kind: 'oneTimeCode', language: 'nl', params: { code: '604219', minutes: '10' } },
    ];
    const ids = plan.map((item, n) => {
      const change = r.outbox.queued({ kind: item.kind, holderId: `h-${n}`, channel: 'email', to: `holder${n}@example.org`, language: item.language, params: item.params });
      return change;
    });
    await r.access.storage().records.commit(ids);
    const result = await r.sender.drain();
    expect(result).toMatchObject({ sent: 4, retried: 0, failed: 0 });
    expect(server.received).toHaveLength(4);
    for (const [n, item] of plan.entries()) {
      const record = r.outbox.get(ids[n]!.id)!;
      expect(record.state).toBe('sent');
      const mail = server.received.find((m) => m.messageId === record.messageId);
      expect(mail, `${item.kind}: received with Message-ID ${record.messageId}`).toBeDefined();
      const texts = notificationTexts[item.language];
      expect(mail!.parsed.subject).toBe(texts.kinds[item.kind].subject);
      expect(mail!.parsed.headers.get('content-language')).toBe(item.language);
      expect(mail!.envelopeTo).toEqual([`holder${n}@example.org`]);
      expect(mail!.parsed.from?.value[0]).toMatchObject({ address: 'desk@carddesk.example', name: 'CardDesk' });
      expect(mail!.user).toBe('desk');
      const body = mail!.parsed.text ?? '';
      expect(body).toContain(texts.kinds[item.kind].lead(item.params));
      expect(body).toContain(texts.closing);
      for (const other of plan.filter((o) => o.language !== item.language)) expect(body).not.toContain(notificationTexts[other.language].closing);
      if (item.kind !== 'oneTimeCode') expect(body).not.toContain('604219');
    }
    // The code reached its message only, and is not kept after sending.
    expect(server.received.find((m) => m.parsed.subject === notificationTexts.nl.kinds.oneTimeCode.subject)?.parsed.text).toContain('604219');
    expect(r.outbox.get(ids[3]!.id)!.sealedCode).toBeNull();
  });

  it('a wrong password and a closed port are failures with their reason, retried later, and the test button says why', async () => {
    const server = await mailServer({ users: { desk: PASSWORD } });
    const r = rig();
    await r.settings.set({ smtp: { host: '127.0.0.1', port: server.port, security: 'none', user: 'desk', password: 'wrong', fromAddress: 'desk@carddesk.example', fromName: '' } }, operator);
    expect(await r.sender.sendTest({ channel: 'email', to: 'ops@example.org' }, operator)).toMatchObject({ ok: false, reason: 'auth' });
    const change = r.outbox.queued({ kind: 'test', holderId: null, channel: 'email', to: 'ops@example.org', language: 'en', params: {} });
    await r.access.storage().records.commit([change]);
    expect(await r.sender.drain()).toMatchObject({ retried: 1 });
    expect(r.outbox.get(change.id)).toMatchObject({ state: 'queued', attempts: 1, lastError: expect.stringMatching(/^auth:/) });
    expect(server.received).toHaveLength(0);

    await r.settings.set({ smtp: { host: '127.0.0.1', port: 1, security: 'none', user: '', fromAddress: 'desk@carddesk.example', fromName: '' } }, operator);
    expect(await r.sender.sendTest({ channel: 'email', to: 'ops@example.org' }, operator)).toMatchObject({ ok: false, reason: 'unreachable' });
    await r.settings.set({ smtp: { host: '127.0.0.1', port: server.port, security: 'none', user: 'desk', password: PASSWORD, fromAddress: 'desk@carddesk.example', fromName: '' } }, operator);
    const ok = await r.sender.sendTest({ channel: 'email', to: 'ops@example.org', language: 'it' }, operator);
    expect(ok).toMatchObject({ ok: true });
    expect(server.received.map((m) => m.parsed.subject)).toEqual([notificationTexts.it.kinds.test.subject]);
    expect(server.received[0]!.messageId).toBe(ok.ok ? ok.messageId : '');
    expect(r.audit.events.filter((e) => e.action === 'notify.send').map((e) => e.outcome)).toEqual(['failure', 'failure', 'success']);
    expect(JSON.stringify(r.audit.events)).not.toContain(PASSWORD);
  });

  it('STARTTLS and implicit TLS with a throwaway certificate; an untrusted certificate is refused as a TLS failure', async () => {
    const { key, cert } = throwawayCertificate();
    for (const security of ['starttls', 'tls'] as const) {
      const server = await mailServer({ key, cert, secure: security === 'tls', starttls: security === 'starttls', users: { desk: PASSWORD } });
      const trusting = rig({ transport: { tls: { ca: cert } } });
      await trusting.settings.set({ smtp: { host: '127.0.0.1', port: server.port, security, user: 'desk', password: PASSWORD, fromAddress: 'desk@carddesk.example', fromName: 'CardDesk' } }, operator);
      expect(await trusting.sender.sendTest({ channel: 'email', to: 'ops@example.org', language: 'sq' }, operator), security).toMatchObject({ ok: true });
      expect(server.received).toHaveLength(1);
      expect(server.received[0]!.secure, security).toBe(true);
      expect(server.received[0]!.parsed.subject).toBe(notificationTexts.sq.kinds.test.subject);

      const untrusting = rig();
      await untrusting.settings.set({ smtp: { host: '127.0.0.1', port: server.port, security, user: 'desk', password: PASSWORD, fromAddress: 'desk@carddesk.example', fromName: '' } }, operator);
      expect(await untrusting.sender.sendTest({ channel: 'email', to: 'ops@example.org' }, operator), security).toMatchObject({ ok: false, reason: 'tls' });
      expect(server.received).toHaveLength(1);
    }
  });
});

describe('SMS through an HTTP gateway', () => {
  it('POSTs a JSON template and GETs a query template with the number and the text; a refusal is retried', async () => {
    const requests: { method: string; url: string; body: string; type: string }[] = [];
    let status = 200;
    const gateway = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        requests.push({ method: request.method ?? '', url: request.url ?? '', body: Buffer.concat(chunks).toString('utf8'), type: request.headers['content-type'] ?? '' });
        response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'queued' : 'no credit');
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => gateway.close(() => resolve())));
    const port = (gateway.address() as AddressInfo).port;
    const r = rig();
    await r.settings.set({ sms: { url: `http://127.0.0.1:${port}/api/send?key=k1`, method: 'POST', template: '{"to":"{{to}}","message":"{{text}}"}' } }, operator);
    const first = r.outbox.queued({ kind: 'oneTimeCode', holderId: 'h', channel: 'sms', to: '+383 44 123 456', language: 'sq', params: { code: '551203' } });
    await r.access.storage().records.commit([first]);
    expect(await r.sender.drain()).toMatchObject({ sent: 1 });
    const posted = JSON.parse(requests[0]!.body) as { to: string; message: string };
    expect(requests[0]).toMatchObject({ method: 'POST', url: '/api/send?key=k1', type: 'application/json' });
    expect(posted.to).toBe('+383 44 123 456');
    expect(posted.message).toContain('551203');
    expect(posted.message.startsWith(notificationTexts.sq.kinds.oneTimeCode.subject)).toBe(true);

    await r.settings.set({ sms: { url: `http://127.0.0.1:${port}/send`, method: 'GET', template: 'to={{to}}&text={{text}}' } }, operator);
    status = 402;
    const second = r.outbox.queued({ kind: 'cardRevoked', holderId: 'h', channel: 'sms', to: '+31612345678', language: 'nl', params: { serial: 'CD-7', name: 'Jan de Vries' } });
    await r.access.storage().records.commit([second]);
    expect(await r.sender.drain()).toMatchObject({ retried: 1 });
    expect(r.outbox.get(second.id)?.lastError).toContain('402');
    status = 200;
    expect(await r.sender.sendTest({ channel: 'sms', to: '+31612345678', language: 'nl' }, operator)).toMatchObject({ ok: true });
    const query = new URL(requests.at(-1)!.url, 'http://x').searchParams;
    expect(requests.at(-1)!.method).toBe('GET');
    expect(query.get('to')).toBe('+31612345678');
    expect(query.get('text')).toBe(`${notificationTexts.nl.kinds.test.subject}: ${notificationTexts.nl.kinds.test.lead({})}`);
  });
});
