/**
 * A personal-number pattern is a regular expression an administrator types; JavaScript's engine
 * backtracks, so `(a+)+$` on 40 characters runs for minutes and would freeze every window
 * (issue 11 §7). A pattern is accepted only if (1) it compiles, (2) it has no shape known to
 * backtrack catastrophically — a repeated group that itself repeats or has alternatives, a
 * back-reference, a look-around — and (3) it answers hostile inputs in a worker within a time
 * limit (which also catches the polynomial cases such as `\d*\d*\d*\d*…`).
 */
import { Worker } from 'node:worker_threads';
import { CardDeskError } from '../../shared/errors';

const refuse = (why: string): CardDeskError => new CardDeskError('MALFORMED_INPUT', `The personal-number pattern cannot be used: ${why}`);

/** The longest personal number the directory accepts (HolderInputSchema). */
const LONGEST_NUMBER = 64;
const PROBE_LIMIT_MS = 1000;

/** The expression the directory runs (whole-value match, Unicode mode). */
export function personalNumberExpression(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

interface Frame {
  repeats: boolean;
  alternates: boolean;
}

/** Reads a quantifier at `i`: its length and whether it lets the preceding atom repeat. */
function quantifierAt(pattern: string, i: number): { length: number; repeats: boolean } | null {
  const char = pattern[i];
  let found: { length: number; repeats: boolean };
  if (char === '*' || char === '+') found = { length: 1, repeats: true };
  else if (char === '?') found = { length: 1, repeats: false };
  else if (char === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
    if (match === null) return null;
    const max = match[2] === undefined ? Number(match[1]) : match[3] === '' ? Number.POSITIVE_INFINITY : Number(match[3]);
    found = { length: match[0].length, repeats: max > 1 };
  } else return null;
  // lazy (`*?`): the same backtracking
  return pattern[i + found.length] === '?' ? { length: found.length + 1, repeats: found.repeats } : found;
}

/** The static check: throws for shapes that backtrack catastrophically. */
export function checkPatternShape(pattern: string): void {
  const stack: Frame[] = [{ repeats: false, alternates: false }];
  const top = (): Frame => stack[stack.length - 1] as Frame;
  for (let i = 0; i < pattern.length; ) {
    const char = pattern[i] as string;
    let atom: Frame;
    if (char === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') throw refuse('back-references are not supported.');
      i += 2;
      if (/[pPu]/.test(next) && pattern[i] === '{') i = pattern.indexOf('}', i) + 1 || pattern.length;
      atom = { repeats: false, alternates: false };
    } else if (char === '[') {
      i += 1;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i += 1;
      atom = { repeats: false, alternates: false };
    } else if (char === '(') {
      if (/^\(\?(=|!|<=|<!)/.test(pattern.slice(i))) throw refuse('look-ahead and look-behind are not supported.');
      const named = /^\(\?(:|<[^>]+>)/.exec(pattern.slice(i));
      i += named === null ? 1 : named[0].length;
      stack.push({ repeats: false, alternates: false });
      continue;
    } else if (char === ')') {
      atom = stack.length > 1 ? (stack.pop() as Frame) : { repeats: false, alternates: false };
      i += 1;
    } else if (char === '|') {
      top().alternates = true;
      i += 1;
      continue;
    } else {
      i += 1;
      atom = { repeats: false, alternates: false };
    }
    const quantifier = quantifierAt(pattern, i);
    if (quantifier !== null) {
      i += quantifier.length;
      if (quantifier.repeats && (atom.repeats || atom.alternates)) {
        throw refuse('a repeated group that itself repeats or has alternatives (like (a+)+ or (a|b)*) could take too long to check. Write it without the nesting.');
      }
    }
    const frame = top();
    frame.repeats ||= atom.repeats || quantifier !== null;
    frame.alternates ||= atom.alternates;
  }
}

const PROBE = `
const { parentPort, workerData } = require('node:worker_threads');
const expression = new RegExp(workerData.source, 'u');
parentPort.postMessage('start');
for (const input of workerData.inputs) expression.test(input);
parentPort.postMessage('done');
`;

/** Inputs that make a backtracking pattern work hardest: long runs of one kind of character, failing at the end. */
function hostileInputs(): string[] {
  const inputs: string[] = [];
  for (const char of ['0', '9', 'a', 'A', 'Z', 'x', '-', ' ', '.', '_', '/']) {
    inputs.push(char.repeat(LONGEST_NUMBER), `${char.repeat(LONGEST_NUMBER - 1)}!`, `${char.repeat(LONGEST_NUMBER - 1)}\u0000`);
  }
  inputs.push('0A'.repeat(LONGEST_NUMBER / 2), '0-'.repeat(LONGEST_NUMBER / 2));
  return inputs;
}

/** Runs the pattern on hostile inputs in a worker; a pattern that does not finish in time is refused. */
async function probe(pattern: string): Promise<void> {
  const worker = new Worker(PROBE, { eval: true, workerData: { source: personalNumberExpression(pattern).source, inputs: hostileInputs() } });
  try {
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      worker.on('message', (message: unknown) => {
        // The clock starts when the worker is running, so a slow start on a busy machine is not held against the pattern.
        if (message === 'start') timer = setTimeout(() => reject(refuse('checking a number with it could take too long.')), PROBE_LIMIT_MS);
        else if (message === 'done') {
          if (timer !== null) clearTimeout(timer);
          resolve();
        }
      });
      worker.on('error', (error) => reject(refuse(`it failed on a test input (${error.message}).`)));
      worker.on('exit', () => reject(refuse('checking a number with it could take too long.')));
    });
  } finally {
    await worker.terminate();
  }
}

/** Accepts a pattern only if it compiles, has a safe shape and finishes hostile inputs in time. */
export async function checkPersonalNumberPattern(pattern: string): Promise<void> {
  try {
    personalNumberExpression(pattern);
    new RegExp(pattern, 'u');
  } catch {
    throw refuse('it is not a valid regular expression.');
  }
  checkPatternShape(pattern);
  await probe(pattern);
}
