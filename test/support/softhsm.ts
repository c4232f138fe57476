/**
 * A throw-away SoftHSM2 token store: its own config and token folder under the temp dir,
 * tokens made with softhsm2-util, objects with pkcs11-tool and openssl — tools we did not
 * write, so what they create and report checks our service independently.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './host-process';

const run = promisify(execFile);

export const SOFTHSM2_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SoftHsm {
  readonly dir: string;
  readonly conf: string;
  readonly label: string;
  readonly userPin: string;
  readonly soPin: string;
  /** pkcs11-tool against this token (module and token label filled in). */
  pkcs11Tool(args: readonly string[]): Promise<ToolResult>;
  /** openssl in the store's folder. */
  openssl(args: readonly string[]): Promise<ToolResult>;
  /** Puts SOFTHSM2_CONF back as it was and deletes the folder. */
  remove(): void;
}

async function tool(file: string, args: readonly string[], cwd: string): Promise<ToolResult> {
  try {
    const { stdout, stderr } = await run(file, [...args], { cwd, env: process.env, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

export function softHsmAvailable(): string | null {
  if (!existsSync(SOFTHSM2_MODULE)) return `SoftHSM2 is not installed (${SOFTHSM2_MODULE}); run scripts/setup-debian.sh`;
  return null;
}

/**
 * Writes the config and points SOFTHSM2_CONF at it in this process's environment, before any
 * worker loads the module: the library reads the variable with getenv() at C_Initialize, and
 * setting process.env on the main thread sets the real, process-wide environment.
 */
export async function createSoftHsm(options: { label: string; userPin: string; soPin: string }): Promise<SoftHsm> {
  const dir = mkdtempSync(join(tmpdir(), 'carddesk-softhsm-'));
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const previous = process.env['SOFTHSM2_CONF'];
  process.env['SOFTHSM2_CONF'] = conf;
  const init = await tool('softhsm2-util', ['--init-token', '--free', '--label', options.label, '--pin', options.userPin, '--so-pin', options.soPin], dir);
  if (init.code !== 0) throw new Error(`softhsm2-util --init-token failed: ${init.stderr}`);
  return {
    dir,
    conf,
    ...options,
    pkcs11Tool: (args) => tool('pkcs11-tool', ['--module', SOFTHSM2_MODULE, '--token-label', options.label, ...args], dir),
    openssl: (args) => tool('openssl', args, dir),
    remove: () => {
      if (previous === undefined) delete process.env['SOFTHSM2_CONF'];
      else process.env['SOFTHSM2_CONF'] = previous;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A separate Node process reads a private key's secret attribute straight through pkcs11js:
 * the token itself must refuse (CKR_ATTRIBUTE_SENSITIVE), not just our service. Its own
 * process, because a PKCS#11 library is process-wide and the test's workers hold it.
 */
export async function readSecretAttribute(hsm: SoftHsm, id: string, attribute: 'CKA_VALUE' | 'CKA_PRIVATE_EXPONENT'): Promise<string> {
  const script = `
    const p = require('pkcs11js');
    const m = new p.PKCS11(); m.load(${JSON.stringify(SOFTHSM2_MODULE)}); m.C_Initialize();
    const slot = m.C_GetSlotList(true).find((s) => m.C_GetTokenInfo(s).label.trim() === ${JSON.stringify(hsm.label)});
    const s = m.C_OpenSession(slot, p.CKF_SERIAL_SESSION); m.C_Login(s, p.CKU_USER, ${JSON.stringify(hsm.userPin)});
    m.C_FindObjectsInit(s, [{ type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY }, { type: p.CKA_ID, value: Buffer.from(${JSON.stringify(id)}, 'hex') }]);
    const [key] = m.C_FindObjects(s, 1); m.C_FindObjectsFinal(s);
    let answer = 'read';
    try { m.C_GetAttributeValue(s, key, [{ type: p.${attribute} }]); } catch (e) { answer = e.message; }
    m.C_Finalize(); console.log(answer);`;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: repoRoot, env: process.env, encoding: 'utf8' });
  return stdout.trim();
}
