/**
 * Using and making keys: sign, decrypt, generate a key pair. Each runs inside
 * SlotSessions.run; a CK_RV thrown here becomes an outcome value or a PKCS11_ERROR there.
 */
import type { Attribute, PKCS11 } from 'pkcs11js';
import { CardDeskError } from '../../../shared/errors';
import { CKA, CKM, CKO } from '../ck';
import { isHandleStale } from '../ckr-outcomes';
import type { ParsedRequestOf, WorkerResultOf } from '../protocol';
import { ecParamsOf } from '../public-key';
import type { Failure } from '../schemas/common';
import type { KeySelector } from '../schemas/objects';
import { ecdsaRawToDer } from '../signature-encoding';
import { signPlan } from '../sign-plan';
import { attempt, Pkcs11CallError } from './call-error';
import { findObjects, selectorKey } from './attributes';
import { readPrivateKey, readPublicKey } from './key-info';
import { lookupKey } from './objects';
import type { SlotSession, SlotSessions } from './sessions';

/** Room for any output: RSA-16384 is 2048 bytes, P-521 r||s is 132. */
const OUTPUT_ROOM = 2048;

/**
 * Starts an operation with the private key named by `selector`. A cached handle that went
 * stale (the key was deleted and made again, or the token re-read) is dropped and looked up once more.
 */
function initWithKey(
  p11: PKCS11,
  session: SlotSession,
  selector: KeySelector,
  init: (handle: Buffer) => void,
  call: string,
): { readonly ok: true } | Failure<'keyNotFound' | 'keyAmbiguous'> {
  for (let tries = 0; ; tries++) {
    const key = lookupKey(p11, session, 'private', selector);
    if (!key.ok) return key;
    const started = attempt(() => init(key.handle));
    if (started.ok) return { ok: true };
    if (isHandleStale(started.rv) && tries === 0) {
      session.objects.delete(selectorKey('private', selector));
      continue;
    }
    throw new Pkcs11CallError(call, started.rv);
  }
}

export function sign(p11: PKCS11, sessions: SlotSessions, session: SlotSession, request: ParsedRequestOf<'sign'>): WorkerResultOf<'sign'> {
  const plan = signPlan(request.mechanism, request.data, (mechanism) => sessions.supports(session, mechanism));
  const mechanism = plan.parameter === undefined ? { mechanism: plan.mechanism } : { mechanism: plan.mechanism, parameter: plan.parameter };
  const started = initWithKey(p11, session, request.key, (key) => p11.C_SignInit(session.handle, mechanism, key), 'C_SignInit');
  if (!started.ok) return started;
  const signature = p11.C_Sign(session.handle, plan.input, Buffer.alloc(OUTPUT_ROOM));
  return { ok: true, signature: plan.ecdsaDer ? ecdsaRawToDer(signature) : signature };
}

export function decrypt(p11: PKCS11, session: SlotSession, request: ParsedRequestOf<'decrypt'>): WorkerResultOf<'decrypt'> {
  const started = initWithKey(p11, session, request.key, (key) => p11.C_DecryptInit(session.handle, { mechanism: CKM.RSA_PKCS }, key), 'C_DecryptInit');
  if (!started.ok) return started;
  // Modules check the room against the modulus, not the input (SoftHSM2 answers a short
  // ciphertext with CKR_BUFFER_TOO_SMALL otherwise); the plaintext is never longer than that.
  const room = Buffer.alloc(Math.max(request.data.length, OUTPUT_ROOM));
  try {
    // An array of its own (Buffer.from could cut it from the shared pool, which is never zeroed).
    return { ok: true, plaintext: new Uint8Array(p11.C_Decrypt(session.handle, request.data, room)) };
  } finally {
    // The plaintext may be key material (an escrowed key): leave no second copy behind.
    room.fill(0);
  }
}

function generationMechanism(spec: ParsedRequestOf<'generateKeyPair'>['spec'], usage: ReadonlySet<string>): { mechanism: number; publicParts: Attribute[] } {
  if (spec.type === 'rsa') {
    if (usage.has('derive')) throw new CardDeskError('INVALID_ARGUMENTS', 'An RSA key cannot be used to derive keys.');
    return {
      mechanism: CKM.RSA_PKCS_KEY_PAIR_GEN,
      publicParts: [
        { type: CKA.MODULUS_BITS, value: spec.bits },
        { type: CKA.PUBLIC_EXPONENT, value: Buffer.from([0x01, 0x00, 0x01]) },
        { type: CKA.ENCRYPT, value: usage.has('decrypt') },
      ],
    };
  }
  if (usage.has('decrypt')) throw new CardDeskError('INVALID_ARGUMENTS', 'An EC key cannot decrypt; use derive (ECDH).');
  return {
    mechanism: CKM.EC_KEY_PAIR_GEN,
    publicParts: [
      { type: CKA.EC_PARAMS, value: ecParamsOf(spec.curve) },
      { type: CKA.ENCRYPT, value: false },
    ],
  };
}

/**
 * C_GenerateKeyPair with the attributes asked for (v2.40 §5.14; Current Mechanisms §2.1.4
 * RSA, §2.3.5 EC). The private key is private, and by default sensitive and not extractable:
 * the token then refuses to reveal it, ever (CKA_NEVER_EXTRACTABLE stays true).
 */
export function generateKeyPair(p11: PKCS11, session: SlotSession, request: ParsedRequestOf<'generateKeyPair'>): WorkerResultOf<'generateKeyPair'> {
  const { options, spec } = request;
  const id = Buffer.from(options.id, 'hex');
  const taken = [CKO.PRIVATE_KEY, CKO.PUBLIC_KEY].some(
    (objectClass) => findObjects(p11, session.handle, [{ type: CKA.CLASS, value: objectClass }, { type: CKA.ID, value: id }], 1).length > 0,
  );
  if (taken) return { ok: false, reason: 'idInUse' };
  const usage = new Set<string>(options.usage);
  const { mechanism, publicParts } = generationMechanism(spec, usage);
  const common: Attribute[] = [
    { type: CKA.TOKEN, value: options.token },
    { type: CKA.LABEL, value: options.label },
    { type: CKA.ID, value: id },
  ];
  // Every usage attribute is set, true or false: left out, a module picks its own default
  // (SoftHSM2 makes every key able to wrap and unwrap).
  const publicTemplate: Attribute[] = [
    ...common,
    { type: CKA.PRIVATE, value: false },
    { type: CKA.VERIFY, value: usage.has('sign') },
    { type: CKA.WRAP, value: false },
    ...publicParts,
  ];
  const privateTemplate: Attribute[] = [
    ...common,
    { type: CKA.PRIVATE, value: true },
    { type: CKA.SENSITIVE, value: options.sensitive },
    { type: CKA.EXTRACTABLE, value: options.extractable },
    { type: CKA.SIGN, value: usage.has('sign') },
    { type: CKA.DECRYPT, value: usage.has('decrypt') },
    { type: CKA.DERIVE, value: usage.has('derive') },
    { type: CKA.UNWRAP, value: false },
  ];
  const pair = p11.C_GenerateKeyPair(session.handle, { mechanism }, publicTemplate, privateTemplate);
  const { spki } = readPublicKey(p11, session.handle, pair.publicKey);
  if (spki === null) throw new CardDeskError('PKCS11_ERROR', 'The token generated a key pair but did not give its public key.');
  session.objects.set(selectorKey('private', { id: options.id }), pair.privateKey);
  return { ok: true, spki, key: readPrivateKey(p11, session.handle, pair.privateKey).info };
}
