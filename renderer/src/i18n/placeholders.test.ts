import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
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
const placeholdersOf = (text: string): string[] => [...new Set([...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? ''))];
/** A value no translation contains by itself, so finding it proves the placeholder was filled. */
const sample = (name: string): string => `⟦${name}⟧`;

// The same i18next settings as the app (renderer/src/i18n/index.ts), without React and the DOM.
const i18n = i18next.createInstance();
await i18n.init({ resources, lng: 'en', fallbackLng: 'en', supportedLngs: languages, interpolation: { escapeValue: false } });

describe.each(languages)('every text rendered in %s', (language) => {
  const t = i18n.getFixedT(language);

  it('leaves no {{placeholder}} unfilled and shows every value English shows', () => {
    const problems: string[] = [];
    for (const [key, text] of english) {
      const names = placeholdersOf(text);
      const rendered = t(key as never, Object.fromEntries(names.map((name) => [name, sample(name)])) as never) as unknown as string;
      if (/\{\{|\}\}/.test(rendered)) problems.push(`${key}: unfilled in "${rendered}"`);
      for (const name of names) if (!rendered.includes(sample(name))) problems.push(`${key}: {{${name}}} missing in "${rendered}"`);
    }
    expect(problems).toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The text of a call from its opening parenthesis to the matching closing one. */
function callText(source: string, open: number): string {
  let depth = 0;
  for (let i = open; i < source.length; i += 1) {
    if (source[i] === '(') depth += 1;
    else if (source[i] === ')') {
      depth -= 1;
      if (depth === 0) return source.slice(open, i + 1);
    }
  }
  return source.slice(open);
}

/**
 * Keys a run-time key cannot become where it is written, because a branch right before it shows them
 * with their values: `file|template` → the keys it never stands for.
 */
const handledElsewhere = new Map<string, string[]>([
  // wrongPin and wrongPuk have their own cases with the tries left.
  ['failureText.ts|cards.failure.${result.reason}', ['cards.failure.wrongPin', 'cards.failure.wrongPuk']],
  // resume and restart take the other branch of the same conditional, with serial, holder and step.
  ['CardWorkflowDialog.tsx|lifecycle.workflow.${kind}.body', ['lifecycle.workflow.resume.body', 'lifecycle.workflow.restart.body']],
  // `key` runs over the holder's counts (total, lastAccess, successful, failed), never the dialog title.
  ['HolderAccessHistory.tsx|accessHistory.holder.${key}', ['accessHistory.holder.dialogTitle']],
  // `fact` is one of the address lines (addressLines in holderFields), never the search total.
  ['HolderDetail.tsx|users.${fact}', ['users.total']],
  // The sign-in screen shows the wrong PIN with its tries in the branch before; `reason` is never wrongPinTries.
  ['SignInScreen.tsx|session.refusals.${refusal.reason}', ['session.refusals.wrongPinTries']],
  // The approval dialog too: wrong PIN with tries is the branch before; `reason` is never wrongPinTries.
  ['ApprovalDialog.tsx|session.refusals.${r.reason}', ['session.refusals.wrongPinTries']],
  // `name` runs over the one-value details (reader, file, …); the details with several values have their own branches above it.
  [
    'eventText.ts|accessHistory.details.${name}',
    ['accessHistory.details.fromTo', 'accessHistory.details.letterPin', 'accessHistory.details.letterUserNumber', 'accessHistory.details.retries', 'accessHistory.details.other'],
  ],
]);

describe('the values the screens pass', () => {
  it('name every placeholder of the text they show (a missing one would show as {{name}})', () => {
    const problems: string[] = [];
    let calls = 0;
    for (const file of sourceFiles(join(import.meta.dirname, '..'))) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/\bt\(\s*(?:'([\w.]+)'|`([^`]+)`)/g)) {
        // A key built at run time (`errors.${code}`) stands for every key it can become.
        const pattern = match[1] !== undefined ? match[1].replace(/\./g, '\\.') : (match[2] ?? '').replace(/\./g, '\\.').replace(/\$\{[^}]*\}/g, '\\w+');
        const skipped = match[2] === undefined ? [] : (handledElsewhere.get(`${file.slice(file.lastIndexOf('/') + 1)}|${match[2]}`) ?? []);
        const keys = [...english.keys()].filter((key) => new RegExp(`^${pattern}$`).test(key) && !skipped.includes(key));
        const call = callText(source, (match.index ?? 0) + match[0].indexOf('('));
        const options = call.slice(match[0].length - match[0].indexOf('('));
        calls += 1;
        for (const key of keys) {
          for (const name of placeholdersOf(english.get(key) ?? '')) {
            if (!new RegExp(`\\b${name}\\b`).test(options)) problems.push(`${file.slice(file.indexOf('renderer'))}: ${key} needs {{${name}}}`);
          }
        }
      }
    }
    expect(calls).toBeGreaterThan(100);
    expect([...new Set(problems)]).toEqual([]);
  });
});
