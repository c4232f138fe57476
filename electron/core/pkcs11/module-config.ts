/**
 * Which PKCS#11 modules CardDesk loads: OpenSC (PIV and most national cards) and SoftHSM2 by
 * default, at the path their packages install to on this OS, plus vendor modules by path.
 */
import { access, realpath } from 'node:fs/promises';
import { CardDeskError } from '../../shared/errors';

export interface Pkcs11ModuleConfig {
  /** Stable, short, used in slot references: `opensc`, `softhsm2`, `vendor-acme`. */
  readonly id: string;
  /** For people: "OpenSC". */
  readonly name: string;
  /** The shared library (.so, .dylib, .dll). */
  readonly path: string;
}

interface ModuleCandidates {
  readonly id: string;
  readonly name: string;
  readonly paths: Partial<Record<NodeJS.Platform, readonly string[]>>;
}

/**
 * Where distributions and installers put each library, most common first. The first that
 * exists wins; when none does, the first is kept so the status names the expected path.
 */
export const defaultModuleCandidates: readonly ModuleCandidates[] = [
  {
    id: 'opensc',
    name: 'OpenSC',
    paths: {
      linux: [
        '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', // Debian, Ubuntu (amd64)
        '/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so', // Debian, Ubuntu (arm64)
        '/usr/lib64/opensc-pkcs11.so', // Fedora, RHEL, openSUSE
        '/usr/lib64/pkcs11/opensc-pkcs11.so',
        '/usr/lib/opensc-pkcs11.so', // Arch, Alpine
        '/usr/lib/pkcs11/opensc-pkcs11.so',
      ],
      darwin: ['/Library/OpenSC/lib/opensc-pkcs11.so', '/opt/homebrew/lib/opensc-pkcs11.so', '/usr/local/lib/opensc-pkcs11.so'],
      win32: ['C:\\Windows\\System32\\opensc-pkcs11.dll', 'C:\\Program Files\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll'],
    },
  },
  {
    id: 'softhsm2',
    name: 'SoftHSM2',
    paths: {
      linux: [
        '/usr/lib/softhsm/libsofthsm2.so', // Debian, Ubuntu
        '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
        '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
        '/usr/lib64/pkcs11/libsofthsm2.so', // Fedora, RHEL
        '/usr/lib64/softhsm/libsofthsm2.so', // openSUSE
        '/usr/lib/pkcs11/libsofthsm2.so',
        '/usr/local/lib/softhsm/libsofthsm2.so', // built from source
      ],
      darwin: ['/opt/homebrew/lib/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so'],
      win32: ['C:\\SoftHSM2\\lib\\softhsm2-x64.dll', 'C:\\Program Files\\SoftHSM2\\lib\\softhsm2-x64.dll'],
    },
  },
];

export interface DefaultModuleOptions {
  readonly platform?: NodeJS.Platform;
  readonly fileExists?: (path: string) => boolean | Promise<boolean>;
}

const exists = (path: string): Promise<boolean> => access(path).then(
  () => true,
  () => false,
);

/** OpenSC and SoftHSM2 for this OS (none on an OS without known paths). */
export async function defaultPkcs11Modules(options: DefaultModuleOptions = {}): Promise<Pkcs11ModuleConfig[]> {
  const platform = options.platform ?? process.platform;
  const fileExists = options.fileExists ?? exists;
  const found = await Promise.all(
    defaultModuleCandidates.map(async (candidate) => {
      const paths = candidate.paths[platform] ?? [];
      const first = paths[0];
      if (first === undefined) return [];
      let path = first;
      for (const candidatePath of paths) {
        if (await fileExists(candidatePath)) {
          path = candidatePath;
          break;
        }
      }
      return [{ id: candidate.id, name: candidate.name, path }];
    }),
  );
  return found.flat();
}

const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * Checks a module list: ids well-formed and unique, and no library twice. A PKCS#11 library
 * is process-wide state (one C_Initialize per process, v2.40 §5.4); two entries for the same
 * file would share it behind two workers, each believing it owns it.
 */
export function checkModuleList(modules: readonly Pkcs11ModuleConfig[], resolvePath: (path: string) => string = (path) => path): void {
  const ids = new Set<string>();
  const paths = new Map<string, string>();
  for (const module of modules) {
    if (!ID_PATTERN.test(module.id)) {
      throw new CardDeskError('INVALID_ARGUMENTS', `PKCS#11 module id "${module.id}" must be lower-case letters, digits and dashes.`);
    }
    if (ids.has(module.id)) throw new CardDeskError('INVALID_ARGUMENTS', `PKCS#11 module id "${module.id}" is configured twice.`);
    ids.add(module.id);
    if (module.path.trim() === '') throw new CardDeskError('INVALID_ARGUMENTS', `PKCS#11 module "${module.id}" has no path.`);
    const real = resolvePath(module.path);
    const other = paths.get(real);
    if (other !== undefined) {
      throw new CardDeskError('INVALID_ARGUMENTS', `PKCS#11 modules "${other}" and "${module.id}" are the same library (${module.path}).`);
    }
    paths.set(real, module.id);
  }
}

/** Each module's library with links resolved (a path that does not resolve stands for itself), for `checkModuleList`. */
export async function realPathsOf(modules: readonly Pkcs11ModuleConfig[]): Promise<(path: string) => string> {
  const real = new Map(await Promise.all(modules.map(async (module) => [module.path, await realpath(module.path).catch(() => module.path)] as const)));
  return (path) => real.get(path) ?? path;
}
