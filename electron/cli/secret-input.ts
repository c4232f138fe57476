/**
 * Secrets for the CLI (PINs, PUKs, passphrases) come from a prompt on the terminal, without
 * echo, or, when stdin is not a terminal, one per line from stdin — never from argv, where
 * `ps` and shell history would keep them. Each secret is a Buffer the caller zeroes after use.
 */
import type { Readable, Writable } from 'node:stream';
import { PinSchema, PukSchema } from '../shared/schemas/cards';
import { equalSecrets } from '../smartcard/constant-time';
import type { CliContext } from './cli-context';

export class SecretReader {
  readonly #input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly #output: Writable;
  #pending: Buffer = Buffer.alloc(0);
  #ended = false;
  #waiters: (() => void)[] = [];
  #listening = false;

  constructor(input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown }, output: Writable) {
    this.#input = input;
    this.#output = output;
  }

  get interactive(): boolean {
    return this.#input.isTTY === true && typeof this.#input.setRawMode === 'function';
  }

  #listen(): void {
    if (this.#listening) return;
    this.#listening = true;
    this.#input.on('data', (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const joined = Buffer.concat([this.#pending, bytes]);
      this.#pending.fill(0);
      this.#pending = joined;
      this.#wake();
    });
    this.#input.on('end', () => {
      this.#ended = true;
      this.#wake();
    });
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /**
   * Reads one secret; `prompt` is shown only on a terminal. Throws when input ends first. With
   * `echo`, the terminal shows what is typed (for codes that are not secret, read in the same order).
   */
  async read(prompt: string, { echo = false }: { echo?: boolean } = {}): Promise<Buffer> {
    this.#listen();
    const interactive = this.interactive;
    const raw = interactive && !echo;
    if (interactive) this.#output.write(prompt);
    if (raw) this.#input.setRawMode?.(true);
    this.#input.resume();
    try {
      for (;;) {
        const end = this.#pending.findIndex((byte) => byte === 0x0a || byte === 0x0d || byte === 0x03);
        if (end >= 0) {
          if (this.#pending[end] === 0x03) throw new Error('cancelled');
          const secret = Buffer.from(this.#pending.subarray(0, end));
          // Drop the line end (and the \n of a \r\n) and wipe what was read.
          const skip = this.#pending[end] === 0x0d && this.#pending[end + 1] === 0x0a ? 2 : 1;
          const rest = Buffer.from(this.#pending.subarray(end + skip));
          this.#pending.fill(0);
          this.#pending = rest;
          return secret;
        }
        if (this.#ended) {
          if (this.#pending.length > 0) {
            const secret = this.#pending;
            this.#pending = Buffer.alloc(0);
            return secret;
          }
          throw new Error(`no input left for "${prompt.replace(/:\s*$/, '')}"`);
        }
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
      }
    } finally {
      if (raw) {
        this.#input.setRawMode?.(false);
        this.#output.write('\n');
      }
      this.#input.pause();
    }
  }
}

/** Reads a PIN or PUK and checks its form before it goes anywhere near the card. */
export async function readSecret(cli: CliContext, prompt: string, kind: 'PIN' | 'PUK', confirm = false): Promise<Buffer> {
  const value = await cli.secrets.read(prompt);
  if (!(kind === 'PIN' ? PinSchema : PukSchema).safeParse(value.toString()).success) {
    value.fill(0);
    throw new Error(`A ${kind} is 6 to 8 digits.`);
  }
  if (confirm && cli.secrets.interactive) {
    const again = await cli.secrets.read(`Repeat ${prompt.charAt(0).toLowerCase()}${prompt.slice(1)}`);
    const same = equalSecrets(again, value);
    again.fill(0);
    if (!same) {
      value.fill(0);
      throw new Error(`The two new ${kind}s differ.`);
    }
  }
  return value;
}
