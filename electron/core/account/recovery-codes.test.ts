/**
 * The Emergency Recovery Code: its format (Crockford base32, a check character that catches
 * every single-character error and every transposition), its storage (scrypt with a fresh salt,
 * nothing else), its letter (read back with poppler's pdftotext), once-only use and the holder's
 * limit of wrong codes with a controlled clock, counted in the vault so a restart keeps it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { holderInput, tempHome } from '../../../test/support/vault-fixtures';
import type { AuditEventInput } from '../audit/audit-trail';
import { writeFileSync } from 'node:fs';
import { letterTexts, type LetterLanguage } from '../letters/letter-texts';
import { LetterOutbox } from '../letters/outbox';
import { recoveryCodeLetter } from '../letters/pin-letters';
import type { RecordChange } from '../vault/record-store';
import { VaultAccess } from '../vault/vault-access';
import { RecordingQueue } from '../../../test/support/recording-queue';
import { CROCKFORD, RECOVERY_CODE_BITS, checkCharacter, formatRecoveryCode, newRecoveryCode, parseRecoveryCode } from './recovery-code-format';
import { RECOVERY_CODES, RECOVERY_KDF, RecoveryCodes, recoveryAddress, type RecoveryCodeRecord } from './recovery-codes';

describe('recovery code format', () => {
  it('has at least 100 bits of entropy in groups of Crockford characters with a check character', () => {
    expect(RECOVERY_CODE_BITS).toBeGreaterThanOrEqual(100);
    const code = newRecoveryCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{24}$/);
    expect(formatRecoveryCode(code)).toMatch(/^([0-9A-Z]{4}-){5}[0-9A-Z]{4}$/);
    expect(parseRecoveryCode(code)).toEqual({ ok: true, code });
    const many = new Set(Array.from({ length: 200 }, () => newRecoveryCode()));
    expect(many.size).toBe(200);
  });

  it('normalises case, spaces, dashes, I/L to 1 and O to 0', () => {
    const data = '0123456789ABCDEFGHJKMNP';
    const code = data + checkCharacter(data);
    const typed = ` ${formatRecoveryCode(code).toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l')} `.replace('-', ' - ');
    expect(parseRecoveryCode(typed)).toEqual({ ok: true, code });
    expect(parseRecoveryCode(code.replace('1', 'I'))).toEqual({ ok: true, code });
    expect(parseRecoveryCode(code.slice(1))).toEqual({ ok: false, problem: 'malformed' });
    expect(parseRecoveryCode(`${code.slice(0, 5)}U${code.slice(6)}`)).toEqual({ ok: false, problem: 'malformed' });
    expect(parseRecoveryCode(`${code.slice(0, 5)}*${code.slice(6)}`)).toEqual({ ok: false, problem: 'malformed' });
  });

  it('catches every single-character error', () => {
    for (let n = 0; n < 20; n += 1) {
      const code = newRecoveryCode();
      for (let i = 0; i < code.length; i += 1) {
        for (const c of CROCKFORD) {
          if (c === code[i]) continue;
          const typo = code.slice(0, i) + c + code.slice(i + 1);
          expect(parseRecoveryCode(typo), `${code} position ${i} as ${c}`).toEqual({ ok: false, problem: 'check' });
        }
      }
    }
  });

  it('catches every transposition of two different characters (adjacent or not, the check character included)', () => {
    for (let n = 0; n < 20; n += 1) {
      const code = newRecoveryCode();
      for (let i = 0; i < code.length; i += 1) {
        for (let j = i + 1; j < code.length; j += 1) {
          if (code[i] === code[j]) continue;
          const swapped = [...code];
          [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
          expect(parseRecoveryCode(swapped.join('')).ok, `${code} swapping ${i} and ${j}`).toBe(false);
        }
      }
    }
  });
});

const holder = { ...holderInput(1), id: 'h-1', userNumber: '1000000017', version: 1, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z', emailVerified: true, mobileVerified: false, contactCooldownUntil: '' };
const op = { actor: { kind: 'operator', id: 'tester' }, channel: 'cli' } as const;
const kiosk = { actor: { kind: 'holder', id: 'h-1' }, channel: 'kiosk' } as const;

const accesses: VaultAccess[] = [];
afterEach(async () => {
  for (const access of accesses.splice(0)) await access.close();
});

function rig(dir = tempHome(), start = Date.parse('2026-12-07T00:00:00Z')) {
  const access = new VaultAccess(dir);
  accesses.push(access);
  let now = start;
  const events: AuditEventInput[] = [];
  const commits: (readonly RecordChange[])[] = [];
  const recorder = {
    commit: async (changes: readonly RecordChange[], event: AuditEventInput) => {
      events.push(event);
      commits.push(changes);
      await access.storage().records.commit(changes);
    },
  };
  const queue = new RecordingQueue();
  const outbox = new LetterOutbox(join(dir, 'outbox'), access);
  const codes = new RecoveryCodes({
    access,
    recorder,
    queue,
    outbox,
    directory: { get: () => holder, cardsOf: () => [] },
    letterSender: () => 'Test Desk',
    now: () => now,
  });
  return { dir, access, codes, queue, outbox, events, commits, advance: (ms: number) => (now += ms) };
}

/** The code as printed in its letter (the letter is the only place it exists). */
function codeInLetter(outbox: LetterOutbox, fileName: string): string {
  const text = execFileSync('pdftotext', ['-layout', outbox.path(fileName), '-'], { encoding: 'utf8' });
  const match = /\b([0-9A-Z]{4}(?:-[0-9A-Z]{4}){5})\b/.exec(text);
  if (match === null) throw new Error('no recovery code in the letter');
  return match[1]!;
}

describe('recovery codes', () => {
  it('prints the code only in its own letter and keeps only an scrypt hash with a fresh salt', async () => {
    const { codes, outbox, queue, events, access, commits } = rig();
    const { letter } = await codes.issueRecoveryCode('h-1', op, 'issuance');
    const code = codeInLetter(outbox, letter);
    expect(parseRecoveryCode(code).ok).toBe(true);
    expect(outbox.record(letter)).toMatchObject({ kind: 'recoveryCode', recipient: 'holder', holderId: 'h-1', state: 'waiting' });
    const text = execFileSync('pdftotext', [outbox.path(letter), '-'], { encoding: 'utf8' });
    expect(text).toContain('Your emergency recovery code');
    const stored = access.storage().records.get<RecoveryCodeRecord>(RECOVERY_CODES, 'h-1')!;
    expect(stored).toMatchObject({ N: RECOVERY_KDF.N, r: 8, p: 1, reason: 'issuance', letter });
    const compact = code.replace(/-/g, '');
    expect(JSON.stringify(access.storage().records.dump())).not.toContain(compact);
    expect(JSON.stringify(events)).not.toContain(compact);
    // The notification, without the code, in the same commit as the record.
    expect(queue.queuedRequests).toEqual([expect.objectContaining({ kind: 'recoveryCodeIssued', holderId: 'h-1', channel: 'email', to: 'holder1@example.org' })]);
    expect(JSON.stringify(queue.queuedRequests)).not.toContain(compact);
    expect(commits.at(-1)!.map((c) => c.collection).sort()).toEqual([RECOVERY_CODES, 'testOutbox'].sort());
    // A second code: another salt, another hash, and the first letter (still waiting) withdrawn.
    const second = await codes.issueRecoveryCode('h-1', op);
    const again = access.storage().records.get<RecoveryCodeRecord>(RECOVERY_CODES, 'h-1')!;
    expect(again.salt).not.toBe(stored.salt);
    expect(outbox.record(letter)?.state).toBe('withdrawn');
    expect(await codes.verify('h-1', code, kiosk)).toBe('wrong');
    expect(await codes.verify('h-1', codeInLetter(outbox, second.letter), kiosk)).toBe('ok');
  });

  it('takes a slow hash: one check costs real work (scrypt at 2^14)', async () => {
    const { codes, outbox } = rig();
    const { letter } = await codes.issueRecoveryCode('h-1', op);
    const code = codeInLetter(outbox, letter);
    const started = performance.now();
    expect(await codes.verify('h-1', code, kiosk)).toBe('ok');
    expect(performance.now() - started).toBeGreaterThan(10);
  });

  it('refuses a mistyped code by its check character before looking anything up (not counted)', async () => {
    const { codes, outbox, events } = rig();
    const { letter } = await codes.issueRecoveryCode('h-1', op);
    const code = codeInLetter(outbox, letter).replace(/-/g, '');
    const typo = code.slice(0, 3) + (code[3] === 'A' ? 'B' : 'A') + code.slice(4);
    for (let i = 0; i < 8; i += 1) expect(await codes.verify('h-1', typo, kiosk)).toBe('check');
    expect(codes.status('h-1').recentFailures).toBe(0);
    expect(events.at(-1)).toMatchObject({ action: 'account.recoveryCodeCheck', outcome: 'failure', reason: 'check' });
    expect(await codes.verify('h-1', code, kiosk)).toBe('ok');
  });

  it('limits wrong codes to 5 per holder in 24 hours, kept in the vault across a restart', async () => {
    const first = rig();
    const { letter } = await first.codes.issueRecoveryCode('h-1', op);
    const code = codeInLetter(first.outbox, letter);
    for (let i = 0; i < 5; i += 1) expect(await first.codes.verify('h-1', newRecoveryCode(), kiosk)).toBe('wrong');
    expect(await first.codes.verify('h-1', code, kiosk)).toBe('tooManyAttempts');
    await first.access.close();
    // Reopened (a restart), 23 h 59 min later: still refused; after 24 h: allowed again.
    const second = rig(first.dir, Date.parse('2026-12-07T23:59:00Z'));
    expect(await second.codes.verify('h-1', code, kiosk)).toBe('tooManyAttempts');
    second.advance(60_000);
    expect(await second.codes.verify('h-1', code, kiosk)).toBe('ok');
  });

  it('works once: once used, a new code is issued and the old one is wrong', async () => {
    const { codes, outbox, queue } = rig();
    const { letter } = await codes.issueRecoveryCode('h-1', op);
    const code = codeInLetter(outbox, letter);
    expect(await codes.verify('h-1', code, kiosk)).toBe('ok');
    const next = await codes.used('h-1', kiosk);
    expect(next.letter).not.toBe(letter);
    expect(codes.status('h-1')).toMatchObject({ exists: true, reason: 'used', lastUsedAt: '2026-12-07T00:00:00.000Z', letter: next.letter, letterState: 'waiting' });
    expect(await codes.verify('h-1', code, kiosk)).toBe('wrong');
    expect(await codes.verify('h-1', codeInLetter(outbox, next.letter), kiosk)).toBe('ok');
    expect(queue.queuedRequests.filter((r) => r.kind === 'recoveryCodeIssued')).toHaveLength(2);
  });

  it('answers none for a holder without a code, and counts it', async () => {
    const { codes } = rig();
    expect(await codes.verify('h-1', newRecoveryCode(), kiosk)).toBe('none');
    expect(codes.status('h-1')).toMatchObject({ exists: false, recentFailures: 1 });
  });

  it('sends one-time codes to the email, else the mobile', () => {
    expect(recoveryAddress({ email: 'a@b.org', mobile: '+1' })).toEqual({ channel: 'email', to: 'a@b.org' });
    expect(recoveryAddress({ email: ' ', mobile: '+3161' })).toEqual({ channel: 'sms', to: '+3161' });
    expect(recoveryAddress({ email: '', mobile: '' })).toBeNull();
  });
});

describe.each(Object.keys(letterTexts) as LetterLanguage[])('the recovery-code letter in %s', (language) => {
  it('fits on one page, carries the code in groups and the language\'s texts, never a PIN label', async () => {
    const code = newRecoveryCode();
    const pdf = await recoveryCodeLetter({
      language,
      sender: { organisation: 'Desk', addressLines: [] },
      recipient: { name: 'Ana Tester', addressLines: ['Street 1', '10000 Prishtina'] },
      holderName: 'Ana Tester',
      date: new Date('2026-12-07T00:00:00Z'),
      code: Buffer.from(code, 'latin1'),
    });
    const file = join(tempHome(), 'letter.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain(formatRecoveryCode(code));
    expect(text).toContain(letterTexts[language].recoverySubject);
    expect(text).not.toMatch(/\bPIN\s+\d{6,8}\b/);
    expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).toMatch(/Pages:\s+1\b/);
  });
});
