/**
 * Checks a PKCS#11 library path before anything loads it: loading a shared library runs its
 * constructor inside CardDesk, so a check that loads to look would already be too late. The path
 * must be absolute; the file a regular file; it and every folder above it owned by root or the
 * user running CardDesk and writable by nobody else (so nobody else can swap it after the check);
 * and it must lie inside one of the allowed library folders (the OS's, plus folders an
 * administrator added with the vault unlocked). The real path (symbolic links resolved) is what
 * gets stored and loaded.
 */
import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, sep } from 'node:path';
import { CardDeskError } from '../../shared/errors';

/** The OS's own library folders: where packages and installers put shared libraries. */
export function osLibraryFolders(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string[] {
  switch (platform) {
    case 'linux':
      return ['/usr/lib', '/usr/lib64', '/usr/local/lib', '/lib', '/lib64'];
    case 'darwin':
      return ['/usr/lib', '/usr/local/lib', '/opt/homebrew/lib', '/Library'];
    case 'win32': {
      const root = env['SystemRoot'] ?? 'C:\\Windows';
      return [join(root, 'System32'), env['ProgramFiles'] ?? 'C:\\Program Files', env['ProgramFiles(x86)'] ?? 'C:\\Program Files (x86)'];
    }
    default:
      return ['/usr/lib', '/usr/local/lib', '/lib'];
  }
}

export interface PathCheckOptions {
  /** The folders a library may be in (not yet resolved). */
  readonly allowedFolders: readonly string[];
  /** Who may own the file and its folders besides root (the user running CardDesk). */
  readonly uid?: number;
}

function refuse(path: string, why: string, what = 'library'): never {
  const subject = what === 'library' ? 'was not accepted as a PKCS#11 library (nothing was loaded)' : 'was not accepted as a library folder';
  throw new CardDeskError('MODULE_PATH_REFUSED', `${path} ${subject}: ${why}`);
}

/** The owner and write permission of one file or folder, on systems that have them. */
function checkOwnership(path: string, what: string, info: { uid: number; mode: number }, uid: number | undefined, kind: string): void {
  if (uid === undefined) return; // Windows: no POSIX owner or mode bits to read
  if (info.uid !== 0 && info.uid !== uid) refuse(path, `${what} is owned by user ${info.uid}, neither root nor the user running CardDesk.`, kind);
  if ((info.mode & 0o022) !== 0) refuse(path, `${what} can be changed by other users (mode ${(info.mode & 0o777).toString(8)}).`, kind);
}

async function resolved(path: string): Promise<string | null> {
  try {
    return await realpath(path);
  } catch {
    return null;
  }
}

const inside = (file: string, folder: string): boolean => file.startsWith(folder.endsWith(sep) ? folder : `${folder}${sep}`);

/** Returns the real path of a library that passed every check; throws MODULE_PATH_REFUSED with the reason. */
export async function checkModulePath(path: string, options: PathCheckOptions): Promise<string> {
  const uid = options.uid ?? process.getuid?.();
  if (!isAbsolute(path)) refuse(path, 'give the full (absolute) path of the library, not a relative one.');
  const real = await resolved(path);
  if (real === null) refuse(path, 'the file does not exist.');
  const info = await stat(real);
  if (!info.isFile()) refuse(path, 'it is not a regular file.');
  checkOwnership(path, `the file ${real}`, info, uid, 'library');
  for (let folder = dirname(real); ; folder = dirname(folder)) {
    checkOwnership(path, `the folder ${folder}`, await stat(folder), uid, 'library');
    if (dirname(folder) === folder) break;
  }
  const folders = (await Promise.all(options.allowedFolders.map(resolved))).filter((folder): folder is string => folder !== null);
  if (!folders.some((folder) => inside(real, folder))) {
    refuse(path, `it is not inside an allowed library folder (${options.allowedFolders.join(', ')}); an administrator can add a folder with the vault unlocked.`);
  }
  return real;
}

/** Checks a folder before it joins the allowed library folders; returns its real path. */
export async function checkLibraryFolder(path: string, uid: number | undefined = process.getuid?.()): Promise<string> {
  if (!isAbsolute(path)) refuse(path, 'give the full (absolute) path of the folder, not a relative one.', 'folder');
  const real = await resolved(path);
  if (real === null) refuse(path, 'the folder does not exist.', 'folder');
  for (let folder = real; ; folder = dirname(folder)) {
    const info = await stat(folder);
    if (folder === real && !info.isDirectory()) refuse(path, 'it is not a folder.', 'folder');
    checkOwnership(path, `the folder ${folder}`, info, uid, 'folder');
    if (dirname(folder) === folder) break;
  }
  return real;
}
