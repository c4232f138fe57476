/**
 * The PKCS#11 worker: loads the token's module with pkcs11js in its own thread, so a slow token
 * (C_Login and key generation block) never freezes the main process. It holds one logged-in
 * session; the private keys it creates are sensitive and never extractable, so they stay on the
 * token and only signatures come back. Built to dist/pkcs11-ca-worker.cjs; tests build it too.
 */
import { createPublicKey } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import * as pkcs11js from 'pkcs11js';
import type { Pkcs11Message, Pkcs11Request, Pkcs11Response } from './pkcs11-protocol';

const curves = { p384: { oid: Buffer.from('06052b81040022', 'hex'), crv: 'P-384' } } as const;

let pkcs11: pkcs11js.PKCS11 | null = null;
let session: pkcs11js.Handle | null = null;
const privateKeys = new Map<string, pkcs11js.Handle>();

function requireSession(): { lib: pkcs11js.PKCS11; handle: pkcs11js.Handle } {
  if (pkcs11 === null || session === null) throw new Error('The token is not open.');
  return { lib: pkcs11, handle: session };
}

function open(module: string, tokenLabel: string, pin: Uint8Array): null {
  close();
  const lib = new pkcs11js.PKCS11();
  lib.load(module);
  lib.C_Initialize();
  pkcs11 = lib;
  const slot = lib.C_GetSlotList(true).find((candidate) => lib.C_GetTokenInfo(candidate).label.trim() === tokenLabel);
  if (slot === undefined) throw new Error(`No token labelled "${tokenLabel}" in ${module}.`);
  session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  const text = Buffer.from(pin).toString('utf8');
  pin.fill(0); // the token PIN: never log it, never keep it
  try {
    lib.C_Login(session, pkcs11js.CKU_USER, text);
  } catch (error) {
    if ((error as { code?: number }).code !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) throw error;
  }
  return null;
}

function spkiOf(lib: pkcs11js.PKCS11, handle: pkcs11js.Handle, publicKey: pkcs11js.Handle, algorithm: string): Uint8Array {
  if (algorithm === 'p384') {
    const [point] = lib.C_GetAttributeValue(handle, publicKey, [{ type: pkcs11js.CKA_EC_POINT }]);
    const der = point?.value as Buffer;
    // CKA_EC_POINT is a DER OCTET STRING around the uncompressed point 04 || X || Y.
    const raw = der[0] === 0x04 && der.length > 97 ? der.subarray(der.length - 97) : der;
    const x = raw.subarray(1, 49).toString('base64url');
    const y = raw.subarray(49, 97).toString('base64url');
    return createPublicKey({ key: { kty: 'EC', crv: curves.p384.crv, x, y }, format: 'jwk' }).export({ type: 'spki', format: 'der' });
  }
  const [modulus, exponent] = lib.C_GetAttributeValue(handle, publicKey, [{ type: pkcs11js.CKA_MODULUS }, { type: pkcs11js.CKA_PUBLIC_EXPONENT }]);
  return createPublicKey({ key: { kty: 'RSA', n: (modulus?.value as Buffer).toString('base64url'), e: (exponent?.value as Buffer).toString('base64url') }, format: 'jwk' }).export({
    type: 'spki',
    format: 'der',
  });
}

function generate(algorithm: string, label: string, keyId: Uint8Array): Uint8Array {
  const { lib, handle } = requireSession();
  const id = Buffer.from(keyId);
  const common = [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_LABEL, value: label },
    { type: pkcs11js.CKA_ID, value: id },
  ];
  const ec = algorithm === 'p384';
  const publicTemplate = [
    ...common,
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
    { type: pkcs11js.CKA_VERIFY, value: true },
    ...(ec
      ? [{ type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_EC }, { type: pkcs11js.CKA_EC_PARAMS, value: curves.p384.oid }]
      : [
          { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
          { type: pkcs11js.CKA_MODULUS_BITS, value: algorithm === 'rsa4096' ? 4096 : 3072 },
          { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        ]),
  ];
  // Sensitive and never extractable: the CA key cannot leave the token, not even wrapped.
  const privateTemplate = [
    ...common,
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: ec ? pkcs11js.CKK_EC : pkcs11js.CKK_RSA },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_SIGN, value: true },
  ];
  const mechanism = { mechanism: ec ? pkcs11js.CKM_EC_KEY_PAIR_GEN : pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN };
  const pair = lib.C_GenerateKeyPair(handle, mechanism, publicTemplate, privateTemplate);
  privateKeys.set(id.toString('hex'), pair.privateKey);
  return spkiOf(lib, handle, pair.publicKey, algorithm);
}

function privateKey(keyId: Uint8Array): pkcs11js.Handle {
  const hex = Buffer.from(keyId).toString('hex');
  const cached = privateKeys.get(hex);
  if (cached !== undefined) return cached;
  const { lib, handle } = requireSession();
  lib.C_FindObjectsInit(handle, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    { type: pkcs11js.CKA_ID, value: Buffer.from(keyId) },
  ]);
  const found = lib.C_FindObjects(handle);
  lib.C_FindObjectsFinal(handle);
  if (found === null) throw new Error(`The token has no private key with id ${hex}.`);
  privateKeys.set(hex, found);
  return found;
}

function sign(keyId: Uint8Array, mechanism: 'ecdsa' | 'sha256-rsa', data: Uint8Array): Uint8Array {
  const { lib, handle } = requireSession();
  lib.C_SignInit(handle, { mechanism: mechanism === 'ecdsa' ? pkcs11js.CKM_ECDSA : pkcs11js.CKM_SHA256_RSA_PKCS }, privateKey(keyId));
  return Uint8Array.from(lib.C_Sign(handle, Buffer.from(data), Buffer.alloc(1024)));
}

function describe(keyId: Uint8Array): { sensitive: boolean; extractable: boolean; neverExtractable: boolean; token: boolean } {
  const { lib, handle } = requireSession();
  const attributes = lib.C_GetAttributeValue(handle, privateKey(keyId), [
    { type: pkcs11js.CKA_SENSITIVE },
    { type: pkcs11js.CKA_EXTRACTABLE },
    { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
    { type: pkcs11js.CKA_TOKEN },
  ]);
  const flag = (i: number): boolean => (attributes[i]?.value)?.[0] === 1;
  return { sensitive: flag(0), extractable: flag(1), neverExtractable: flag(2), token: flag(3) };
}

function close(): null {
  privateKeys.clear();
  if (pkcs11 !== null) {
    try {
      if (session !== null) pkcs11.C_CloseSession(session);
      pkcs11.C_Finalize();
    } finally {
      pkcs11.close();
    }
  }
  pkcs11 = null;
  session = null;
  return null;
}

function handle(request: Pkcs11Request): unknown {
  switch (request.op) {
    case 'open':
      return open(request.module, request.tokenLabel, request.pin);
    case 'generate':
      return generate(request.algorithm, request.label, request.keyId);
    case 'sign':
      return sign(request.keyId, request.mechanism, request.data);
    case 'describe':
      return describe(request.keyId);
    case 'close':
      return close();
  }
}

parentPort?.on('message', ({ id, request }: Pkcs11Message) => {
  let response: Pkcs11Response;
  try {
    response = { id, ok: true, value: handle(request) };
  } catch (error) {
    response = { id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(response);
});
