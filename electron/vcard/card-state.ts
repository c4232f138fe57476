/**
 * What the virtual PIV card remembers between power cycles: its identity, PIN and PUK (salted
 * hashes, never the values), retry counters, management key, keys per slot and data objects.
 * This file is the card's own memory; it is written atomically, so a crash never leaves half a card.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { FACTORY, type AsymmetricAlgorithm, type SymmetricAlgorithm } from '../smartcard/piv';
import { equalSecrets } from '../smartcard/constant-time';

const ReferenceDataSchema = z.object({
  salt: z.string(),
  hash: z.string(),
  isDefault: z.boolean(),
  maxTries: z.number().int().min(1).max(15),
  triesLeft: z.number().int().min(0).max(15),
});
export type ReferenceData = z.infer<typeof ReferenceDataSchema>;

const SlotKeySchema = z.object({
  algorithm: z.enum(['rsa2048', 'rsa3072', 'rsa4096', 'eccp256', 'eccp384']),
  origin: z.enum(['generated', 'imported']),
  pinPolicy: z.enum(['never', 'once', 'always']),
  touchPolicy: z.enum(['never', 'always', 'cached']),
  /** PKCS#8 DER, base64. */
  privateKey: z.string(),
});
export type SlotKey = z.infer<typeof SlotKeySchema>;

export const CardStateSchema = z.object({
  format: z.literal(1),
  serial: z.number().int().nonnegative(),
  version: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  pin: ReferenceDataSchema,
  puk: ReferenceDataSchema,
  managementKey: z.object({
    algorithm: z.enum(['tdes', 'aes128', 'aes192', 'aes256']),
    /** Hex; the card must hold the key itself to run the challenge-response. */
    key: z.string().regex(/^[0-9a-f]*$/),
    isDefault: z.boolean(),
  }),
  /** Keys by slot (two upper-case hex digits: 9A, 9C, 9D, 9E, 82…95). */
  keys: z.record(z.string(), SlotKeySchema),
  /** Data objects by tag (upper-case hex), content without the 53 wrapper, base64. */
  objects: z.record(z.string(), z.string()),
  attestation: z.object({ privateKey: z.string(), certificate: z.string() }),
});
export type CardState = z.infer<typeof CardStateSchema>;

function hashSecret(salt: Buffer, secret: Uint8Array): string {
  return createHash('sha256').update(salt).update(secret).digest('hex');
}

export function referenceData(secret: Uint8Array, maxTries: number, isDefault: boolean): ReferenceData {
  const salt = randomBytes(16);
  return { salt: salt.toString('hex'), hash: hashSecret(salt, secret), isDefault, maxTries, triesLeft: maxTries };
}

export function matchesReference(reference: ReferenceData, secret: Uint8Array): boolean {
  const computed = Buffer.from(hashSecret(Buffer.from(reference.salt, 'hex'), secret), 'hex');
  return equalSecrets(computed, Buffer.from(reference.hash, 'hex'));
}

export function setReference(reference: ReferenceData, secret: Uint8Array, factoryValue: string): ReferenceData {
  const salt = randomBytes(16);
  return {
    ...reference,
    salt: salt.toString('hex'),
    hash: hashSecret(salt, secret),
    isDefault: equalSecrets(secret, factoryValue),
    triesLeft: reference.maxTries,
  };
}

export function factoryReferences(pinTries: number = FACTORY.PIN_TRIES, pukTries: number = FACTORY.PUK_TRIES): Pick<CardState, 'pin' | 'puk' | 'managementKey'> {
  return {
    pin: referenceData(Buffer.from(FACTORY.PIN), pinTries, true),
    puk: referenceData(Buffer.from(FACTORY.PUK), pukTries, true),
    managementKey: { algorithm: 'tdes' satisfies SymmetricAlgorithm, key: Buffer.from(FACTORY.MANAGEMENT_KEY).toString('hex'), isDefault: true },
  };
}

export function newSerial(): number {
  // Eight decimal digits, like the serials printed on common tokens.
  return randomInt(10_000_000, 100_000_000);
}

export type { AsymmetricAlgorithm };

/**
 * Where a card keeps its state: a file for real use, memory for tests. A file store answers with
 * promises, so the process serving the card (the desk, for its embedded reader) is never held
 * while the disk works; the card waits for `save` before its response leaves.
 */
export interface CardStateStore {
  load(): CardState | null | Promise<CardState | null>;
  save(state: CardState): void | Promise<void>;
}

export class MemoryCardStateStore implements CardStateStore {
  #state: CardState | null;

  constructor(state: CardState | null = null) {
    this.#state = state === null ? null : structuredClone(state);
  }

  load(): CardState | null {
    return this.#state === null ? null : structuredClone(this.#state);
  }

  save(state: CardState): void {
    this.#state = structuredClone(state);
  }
}

/** JSON file written as tmp + fsync + rename, so the card is always either before or after a command. */
export class FileCardStateStore implements CardStateStore {
  /** `write` replaces the file atomically; the desk passes its shared safe writer (private folder and file). */
  constructor(
    readonly path: string,
    private readonly write?: (path: string, data: string) => Promise<void>,
  ) {}

  async load(): Promise<CardState | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const parsed = CardStateSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${this.path} is not a virtual PIV card state: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data;
  }

  async save(state: CardState): Promise<void> {
    if (this.write !== undefined) return this.write(this.path, JSON.stringify(state));
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(state));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.path);
  }
}
