import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../../electron/shared/errors';
import { CaAlgorithmSchema } from '../../../electron/shared/schemas/ca';
import {
  CertificateFormatSchema,
  CertificateProfileSchema,
  CertificateStatusSchema,
  RevocationReasonSchema,
  SubjectAltNameSchema,
} from '../../../electron/shared/schemas/certificates';
import { CardRecordStateSchema, HolderProblemSchema, HolderStateSchema, holderFields } from '../../../electron/shared/schemas/holders';
import { auditActions, auditProblemKinds } from '../../../electron/shared/schemas/audit';
import { AsymmetricAlgorithmSchema, OfflineChallengeResultSchema, OfflineUnblockResultSchema } from '../../../electron/shared/schemas/cards';
import { IssuancePolicySchema, LifecycleFailureSchema, UnblockResponseResultSchema, WorkflowProgressSchema, workflowSteps } from '../../../electron/shared/schemas/lifecycle';
import { CardPresenceSchema } from '../../../electron/shared/schemas/readers';
import { languages } from './index';
import { resources } from './resources';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const english = flatten(resources.en.translation);
const placeholders = (text: string): string[] => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? '').sort();

/** Strings that are rightly the same in every language: names, acronyms, endonyms. */
const sameInEveryLanguage = new Set([
  'app.name',
  // Technical words Italian and Dutch use unchanged.
  'tokens.table.token',
  'tokens.table.slot',
  'tokens.table.module',
  'cards.atr',
  'language.en',
  'language.sq',
  'language.it',
  'language.nl',
  // File formats and key algorithms are written the same way in every language.
  'certificates.formats.pem',
  'certificates.formats.der',
  'certificates.formats.p7b',
  'certificates.algorithms.p384',
  'certificates.algorithms.rsa3072',
  'certificates.algorithms.rsa4096',
  ...['rsa2048', 'rsa3072', 'rsa4096', 'eccp256', 'eccp384'].map((algorithm) => `lifecycle.algorithms.${algorithm}`),
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe.each(languages.filter((language) => language !== 'en'))('the %s locale', (language) => {
  const translated = flatten(resources[language].translation);

  it('has every English key and no other', () => {
    expect([...translated.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it('has no empty string and keeps every placeholder', () => {
    for (const [key, text] of english) {
      const other = translated.get(key) ?? '';
      expect(other.trim(), key).not.toBe('');
      expect(placeholders(other), key).toEqual(placeholders(text));
    }
  });

  it('is translated, not copied from English', () => {
    // Acronyms (PIN, PUK, ATR) are the same everywhere.
    const acronym = /^[A-Z]{2,5}$/;
    const copied = [...english]
      .filter(([key, text]) => translated.get(key) === text && !sameInEveryLanguage.has(key) && !acronym.test(text))
      .map(([key]) => key);
    expect(copied).toEqual([]);
  });
});

describe('the keys the code uses', () => {
  it('exist in English for every literal t() call in the renderer', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(join(import.meta.dirname, '..'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) used.add(match[1] ?? '');
    }
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((key) => !english.has(key))).toEqual([]);
  });

  it('exist for every key built at run time', () => {
    const built = [
      ...errorCodes.map((code) => `errors.${code}`),
      ...CardPresenceSchema.options.map((state) => `cards.cardState.${state}`),
      ...languages.map((language) => `language.${language}`),
      ...auditActions.map((action) => `accessHistory.actions.${action}`),
      ...auditProblemKinds.map((kind) => `accessHistory.integrity.kinds.${kind}`),
      'cards.announce.inserted',
      'cards.announce.removed',
      ...holderFields.map((field) => `users.fields.${field}`),
      ...HolderStateSchema.options.map((state) => `users.states.${state}`),
      ...HolderProblemSchema.shape.code.options.map((code) => `users.problems.${code}`),
      ...CardRecordStateSchema.options.map((state) => `users.cardStates.${state}`),
      ...['missingColumn', 'unknownColumn', 'empty', 'unbalancedQuotes', 'invalidEncoding', 'duplicateColumn'].map((code) => `users.import.file.${code}`),
      ...CertificateProfileSchema.options.map((profile) => `certificates.profiles.${profile}`),
      ...CertificateStatusSchema.options.map((status) => `certificates.statuses.${status}`),
      ...RevocationReasonSchema.options.map((reason) => `certificates.reasons.${reason}`),
      ...SubjectAltNameSchema.shape.type.options.map((type) => `certificates.sanTypes.${type}`),
      ...CertificateFormatSchema.options.map((format) => `certificates.formats.${format}`),
      ...CaAlgorithmSchema.options.map((algorithm) => `certificates.algorithms.${algorithm}`),
      ...['revoke', 'suspend', 'resume', 'renew'].flatMap((action) => [
        `certificates.actions.${action}`,
        `certificates.done.${action}`,
        `certificates.confirm.${action}Title`,
        `certificates.confirm.${action}Body`,
      ]),
      ...['alreadyRevoked', 'notSuspended', 'alreadySuspended', 'expired'].map((reason) => `certificates.refused.${reason}`),
      ...['root', 'issuing', 'ocsp'].map((role) => `certificates.ca.roles.${role}`),
      ...['software', 'pkcs11'].map((storage) => `certificates.ca.keyStorage.${storage}`),
      ...['created', 'imported'].map((source) => `certificates.ca.source.${source}`),
      ...['first', 'last', 'next', 'previous'].map((page) => `common.page.${page}`),
      // The card life cycle.
      ...workflowSteps.map((step) => `lifecycle.steps.${step}`),
      ...['waiting', ...WorkflowProgressSchema.shape.state.options].map((state) => `lifecycle.stepStates.${state}`),
      ...LifecycleFailureSchema.options.map((reason) => `lifecycle.failure.${reason}`),
      ...['issue', 'replace', 'resume', 'restart', 'renew', 'resetPin', 'retire'].flatMap((kind) => ['title', 'body', 'start', 'done', 'failed'].map((part) => `lifecycle.workflow.${kind}.${part}`)),
      ...IssuancePolicySchema.shape.userNumberRecipient.options.map((recipient) => `lifecycle.recipients.${recipient}`),
      ...['pin', 'userNumber'].map((kind) => `lifecycle.letters.kinds.${kind}`),
      ...AsymmetricAlgorithmSchema.options.map((algorithm) => `lifecycle.algorithms.${algorithm}`),
      ...Object.keys(IssuancePolicySchema.shape.keys.shape).map((role) => `lifecycle.policy.key.${role}`),
      ...UnblockResponseResultSchema.options[1].shape.reason.options.map((reason) => `lifecycle.answer.failure.${reason}`),
      ...OfflineChallengeResultSchema.options[1].shape.reason.options.map((reason) => `cards.offline.beginFailure.${reason}`),
      ...OfflineUnblockResultSchema.options[1].shape.reason.options.map((reason) => `cards.offline.completeFailure.${reason}`),
      ...['suspend', 'resume', 'revoke', 'reportLost', 'resumePersonalisation', 'replace'].flatMap((action) => [`lifecycle.holderCard.${action}.button`, `lifecycle.holderCard.${action}.label`]),
      ...['suspend', 'resume', 'revoke', 'reportLost'].flatMap((change) => ['title', 'body', 'confirm'].map((part) => `lifecycle.holderCard.${change}.${part}`).concat(`lifecycle.holderCard.done.${change}`)),
    ];
    expect(built.filter((key) => !english.has(key))).toEqual([]);
  });

  it('labels exactly the audit actions of the contract (the action filter lists the labelled ones)', () => {
    const labelled = [...english.keys()].filter((key) => key.startsWith('accessHistory.actions.')).map((key) => key.slice('accessHistory.actions.'.length));
    expect(labelled.sort()).toEqual([...auditActions].sort());
  });

  it('names the six desk screens with their fixed English labels', () => {
    expect(['users', 'cards', 'certificates', 'contracts', 'accessHistory', 'settings'].map((key) => english.get(`nav.${key}`))).toEqual([
      'Users',
      'Cards',
      'Certificates',
      'Contracts',
      'Access history',
      'Settings',
    ]);
  });
});

/** The words of a text as axe's label-content-name-mismatch compares them (WCAG 2.5.3 Label in Name). */
const words = (text: string): string[] =>
  text
    .replace(/\{\{\s*\w+\s*\}\}/g, ' ')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');

const containsInOrder = (name: string[], label: string[]): boolean => name.some((_, start) => label.every((word, i) => name[start + i] === word));

describe.each(languages)('buttons with a longer accessible name in %s', (language) => {
  const texts = flatten(resources[language].translation);
  const pairs: [visible: string, name: string][] = [
    ...['suspend', 'resume', 'revoke', 'reportLost', 'resumePersonalisation', 'replace'].map((action): [string, string] => [`lifecycle.holderCard.${action}.button`, `lifecycle.holderCard.${action}.label`]),
    ['lifecycle.expiry.renew', 'lifecycle.expiry.renewLabel'],
    ['lifecycle.expiry.renewCard', 'lifecycle.expiry.renewCardLabel'],
  ];

  it.each(pairs)('%s is said, word for word, in %s', (visible, name) => {
    expect(containsInOrder(words(texts.get(name) ?? ''), words(texts.get(visible) ?? '')), `${texts.get(visible)} / ${texts.get(name)}`).toBe(true);
  });
});
