import type { TFunction } from 'i18next';
import type { AuditEntry } from '@shared/schemas/audit';

/**
 * An event as sentences in the screen's language: what happened (one sentence per action), why it
 * failed or how it went (the reason code the service recorded), and the details it carried. Codes
 * come from the services; older logs hold English phrases, mapped here to the same sentences.
 */

/** Reasons older CardDesk versions (and services outside the card code) wrote in English. */
const legacyReasons: Readonly<Record<string, string>> = {
  'registered blank card': 'registeredBlank',
  'card assigned to holder': 'assignedToHolder',
  'personalisation started': 'personalisationStarted',
  'personalisation resumed': 'personalisationResumed',
  'personalisation restarted: card reset to factory state': 'personalisationRestarted',
  'no known management key': 'noKnownManagementKey',
  'the vault key was refused': 'wrongManagementKey',
  'the card refused the response': 'responseWrong',
  'the card failed': 'cardFailed',
  'the card was removed': 'cardRemoved',
  'CardDesk closed': 'deskClosed',
  'wrong passphrase': 'wrongPassphrase',
  'fields failed their checks': 'fieldsFailed',
  'rows failed their checks': 'rowsFailed',
};

/** Details that say nothing to a reader of the history (they are in the CSV export). */
const silentDetails = new Set(['method', 'diversified', 'chuid', 'ccc', 'known', 'previousHolder', 'letter', 'recipient', 'pinTries', 'pukTries', 'from', 'to', 'keySource', 'triesLeft', 'key']);

export function reasonSentence(t: TFunction, i18n: { exists: (key: string) => boolean }, entry: AuditEntry): string | null {
  const reason = entry.reason;
  if (reason === null || reason === '') return null;
  const code = legacyReasons[reason] ?? reason;
  for (const key of [`accessHistory.reasons.${code}`, `lifecycle.failure.${code}`, `errors.${code}`]) {
    if (key !== 'accessHistory.reasons.other' && i18n.exists(key)) return t(key as 'accessHistory.reasons.wrongPin');
  }
  return t('accessHistory.reasons.other', { reason });
}

function detailSentences(t: TFunction, i18n: { exists: (key: string) => boolean }, entry: AuditEntry): string[] {
  const d = entry.details;
  const out: string[] = [];
  const value = (name: string): string => String(d[name]);
  const has = (name: string): boolean => d[name] !== undefined && d[name] !== '';
  if (has('from') && has('to')) {
    const state = (s: string) => (i18n.exists(`users.cardStates.${s}`) ? t(`users.cardStates.${s}` as 'users.cardStates.active') : s);
    out.push(t('accessHistory.details.fromTo', { from: state(value('from')), to: state(value('to')) }));
  }
  if (has('keySource')) {
    const source = value('keySource');
    if (source === 'current' || source === 'pending' || source === 'factory') out.push(t(`accessHistory.details.keySource${source.charAt(0).toUpperCase()}${source.slice(1)}` as 'accessHistory.details.keySourceCurrent'));
  }
  if (typeof d['triesLeft'] === 'number') {
    const puk = entry.reason === 'wrongPuk' || entry.action === 'card.pukChange' || entry.action === 'card.unblockWithPuk';
    out.push(d['triesLeft'] === 0 ? t(puk ? 'accessHistory.details.pukBlockedNow' : 'accessHistory.details.pinBlockedNow') : t('accessHistory.details.triesLeft', { value: d['triesLeft'] }));
  }
  if (has('previousHolder')) out.push(t('accessHistory.details.previousHolder'));
  if (d['known'] === false) out.push(t('accessHistory.details.unknownCard'));
  if (has('letter')) {
    const recipient = t(value('recipient') === 'contactPerson' ? 'accessHistory.details.recipientContactPerson' : 'accessHistory.details.recipientHolder');
    out.push(t(value('letter') === 'pin' ? 'accessHistory.details.letterPin' : 'accessHistory.details.letterUserNumber', { recipient }));
  }
  if (has('pinTries') && has('pukTries')) out.push(t('accessHistory.details.retries', { pin: value('pinTries'), puk: value('pukTries') }));
  const step = (name: string): string => (i18n.exists(`lifecycle.steps.${name}`) ? t(`lifecycle.steps.${name}` as 'lifecycle.steps.identify') : name);
  const other: string[] = [];
  for (const [name, raw] of Object.entries(d)) {
    if (silentDetails.has(name)) continue;
    const text = String(raw);
    if (name === 'randomPinAndPuk') {
      if (raw === true) out.push(t('accessHistory.details.randomPinAndPuk'));
    } else if (name === 'step') out.push(text === 'none' ? t('accessHistory.details.stepNone') : t('accessHistory.details.step', { value: step(text) }));
    else if (name === 'done') out.push(t('accessHistory.details.done', { value: text.split(' ').filter(Boolean).map(step).join(', ') }));
    else if (['reader', 'challengeId', 'validMinutes', 'certificates', 'replaces', 'file', 'pinDigits', 'algorithm', 'slots', 'keyHistory'].includes(name)) {
      out.push(t(`accessHistory.details.${name}` as 'accessHistory.details.reader', { value: text }));
    } else other.push(`${name} = ${text}`);
  }
  if (other.length > 0) out.push(t('accessHistory.details.other', { list: other.join('; ') }));
  if (entry.recovered === true) out.push(t('accessHistory.details.recovered'));
  return out;
}

/** What happened, then why (or how), then the details, each a sentence. */
export function eventSentences(t: TFunction, i18n: { exists: (key: string) => boolean }, entry: AuditEntry): { what: string | null; why: string | null; details: string[] } {
  const key = `accessHistory.sentences.${entry.action}`;
  return {
    what: i18n.exists(key) ? t(key as 'accessHistory.sentences.card.pinVerify') : null,
    why: reasonSentence(t, i18n, entry),
    details: detailSentences(t, i18n, entry),
  };
}
