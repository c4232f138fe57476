/**
 * Every recorded action reads as a label and a sentence in each language, labels are one per
 * action, and the card events the services record (codes and details) come out as sentences,
 * never as raw codes or `name: value` pairs.
 */
import { createInstance, type TFunction } from 'i18next';
import { describe, expect, it } from 'vitest';
import { auditActions, type AuditEntry } from '../../../../electron/shared/schemas/audit';
import { CardFailureReasonSchema, OfflineChallengeResultSchema } from '../../../../electron/shared/schemas/cards';
import { languages } from '../../i18n';
import { resources } from '../../i18n/resources';
import { eventSentences } from './eventText';

async function translator(language: string) {
  const i18n = createInstance();
  await i18n.init({ lng: language, fallbackLng: false, resources, interpolation: { escapeValue: false } });
  return { t: i18n.t.bind(i18n) as TFunction, i18n };
}

const entry = (patch: Partial<AuditEntry>): AuditEntry => ({
  seq: 1,
  time: '2026-12-05T05:00:00.000Z',
  actor: { kind: 'operator', id: 'op' },
  channel: 'desk',
  action: 'card.pinVerify',
  outcome: 'success',
  reason: null,
  holderId: 'h-1',
  cardSerial: '50501001',
  certificateSerial: null,
  details: {},
  ...patch,
});

/** The reason codes the card services record (results, offline unblock endings, workflow stops). */
const cardReasons = [
  ...CardFailureReasonSchema.options,
  ...['expired', 'responseWrong', 'cardFailed', 'cardRemoved', 'cancelled', 'deskClosed'],
  ...['notIssued', 'notBlocked'],
  ...['personalisationStarted', 'personalisationResumed', 'personalisationRestarted', 'noKnownManagementKey', 'lost', 'stolen', 'check', 'malformed', 'noManagementKey', 'unknownCard', 'wrongCard'],
  ...['registered blank card', 'card assigned to holder', 'wrong passphrase'],
];

describe.each(languages)('audit words in %s', (language) => {
  it('every action has its own label and a sentence', async () => {
    const { t, i18n } = await translator(language);
    const labels = new Map<string, string>();
    for (const action of auditActions) {
      const label = `accessHistory.actions.${action}`;
      expect(i18n.exists(label), `${language}: no label for ${action}`).toBe(true);
      expect(i18n.exists(`accessHistory.sentences.${action}`), `${language}: no sentence for ${action}`).toBe(true);
      const text = t(label as 'accessHistory.actions.card.pinVerify');
      expect(labels.get(text), `${language}: "${text}" labels both ${labels.get(text)} and ${action}`).toBeUndefined();
      labels.set(text, action);
      const sentence = eventSentences(t, i18n, entry({ action })).what ?? '';
      expect(sentence).toMatch(/[.!]$/);
      expect(sentence).not.toContain('{{');
    }
  });

  it('card reasons and details read as sentences, with no code or name: value left', async () => {
    const { t, i18n } = await translator(language);
    for (const reason of cardReasons) {
      const { why } = eventSentences(t, i18n, entry({ outcome: 'failure', reason }));
      expect(why, `${language}: ${reason}`).not.toBeNull();
      expect(why, `${language}: ${reason} shown raw`).not.toBe(t('accessHistory.reasons.other', { reason }));
      expect(why).not.toContain('{{');
    }
    const events: Partial<AuditEntry>[] = [
      { action: 'card.pinVerify', outcome: 'failure', reason: 'wrongPin', details: { reader: 'Virtual PCD 00 00', triesLeft: 2 } },
      { action: 'card.pinVerify', outcome: 'failure', reason: 'wrongPin', details: { reader: 'Virtual PCD 00 00', triesLeft: 0 } },
      { action: 'card.issue', details: { from: 'blank', to: 'active' } },
      { action: 'card.managementKeyAuthenticate', details: { keySource: 'current' } },
      { action: 'card.unblockOffline', details: { reader: 'R', challengeId: 'abcdef012345' } },
      { action: 'card.issue', outcome: 'failure', reason: 'cardRemoved', details: { step: 'signatureKey', reader: 'R' } },
      { action: 'card.pinLetter', details: { letter: 'pin', recipient: 'holder', file: 'pin-1.pdf' } },
      { action: 'card.retryCountersSet', details: { pinTries: 3, pukTries: 3, pinDigits: 6, randomPinAndPuk: true } },
    ];
    for (const patch of events) {
      const { what, why, details } = eventSentences(t, i18n, entry(patch));
      const text = [what, why, ...details].join(' ');
      for (const raw of ['wrongPin', 'from:', 'blank', 'keySource', 'current', 'triesLeft', 'signatureKey', 'recipient', 'randomPinAndPuk', '[redacted]', ' = ']) {
        expect(text, `${language}: ${JSON.stringify(patch)} → ${text}`).not.toContain(raw);
      }
      expect(text).not.toContain('{{');
    }
    const blocked = eventSentences(t, i18n, entry({ action: 'card.pinVerify', outcome: 'failure', reason: 'wrongPin', details: { triesLeft: 0 } }));
    expect(blocked.details).toContain(t('accessHistory.details.pinBlockedNow'));
  });

  it('a recovered change event says so in words', async () => {
    const { t, i18n } = await translator(language);
    const recovered = eventSentences(t, i18n, entry({ action: 'holder.import', details: { imported: 3 }, recovered: true }));
    expect(recovered.details).toContain(t('accessHistory.details.recovered'));
    expect(t('accessHistory.details.recovered')).not.toBe('accessHistory.details.recovered');
    expect(eventSentences(t, i18n, entry({ action: 'holder.import', details: { imported: 3 } })).details).not.toContain(t('accessHistory.details.recovered'));
  });

  it('every way the offline unblock is refused has words on the Cards screen', async () => {
    const { i18n } = await translator(language);
    const refused = OfflineChallengeResultSchema.options[1].shape.reason.options;
    for (const reason of refused) expect(i18n.exists(`cards.offline.beginFailure.${reason}`), `${language}: ${reason}`).toBe(true);
  });
});
