import { spawn } from 'node:child_process';

/** Opens `url` in the system's default browser; never through a shell, so the URL is one argument. */
export function openInSystemBrowser(url: string, platform: NodeJS.Platform = process.platform): void {
  const [command, args] =
    platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`Could not open a browser (${command}); open the address above yourself.\n`));
  child.unref();
}
