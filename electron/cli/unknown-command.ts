/**
 * Commander prints the general help and exits 0 for `carddesk frobnicate --help`, because it
 * answers `--help` before it looks at the command name. Walking the command tree first makes every
 * unknown name an error (issue 10 §1), whatever flags follow it.
 */
import type { Command, Option } from 'commander';

/** Where the command words of `args` (argv after the script) stop naming known commands, if they do. */
export function findUnknownCommand(program: Command, args: readonly string[]): { readonly path: string; readonly name: string } | null {
  let command = program;
  let path = program.name();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (arg === '--') return null;
    if (arg.startsWith('-')) {
      const flag = arg.split('=')[0];
      const option = command.options.find((candidate: Option) => candidate.long === flag || candidate.short === flag);
      // An option's value is not a command word: skip it.
      if (option && (option.required || option.optional) && !arg.includes('=')) index += 1;
      continue;
    }
    if (command.commands.length === 0) return null;
    if (arg === 'help') return null;
    const next = command.commands.find((candidate) => candidate.name() === arg || candidate.aliases().includes(arg));
    if (!next) return { path, name: arg };
    command = next;
    path = `${path} ${arg}`;
  }
  return null;
}

export function unknownCommandMessage(unknown: { readonly path: string; readonly name: string }): string {
  return `unknown command '${unknown.name}': there is no \`${unknown.path} ${unknown.name}\`. Run \`${unknown.path} --help\` to see the commands.`;
}
