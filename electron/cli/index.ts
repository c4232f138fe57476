import { CardDeskError } from '../shared/errors';
import { describeCliError } from './messages';
import { buildProgram } from './program';
import { findUnknownCommand, unknownCommandMessage } from './unknown-command';

const program = buildProgram();
const unknown = findUnknownCommand(program, process.argv.slice(2));
if (unknown) {
  process.stderr.write(`carddesk: ${unknownCommandMessage(unknown)}\n`);
  process.exitCode = 1;
} else {
  program.parseAsync(process.argv).catch((error: unknown) => {
    // Stable codes let scripts tell "in use" or "wrong passphrase" from other failures.
    const code = error instanceof CardDeskError ? ` [${error.code}]` : '';
    process.stderr.write(`carddesk: ${describeCliError(error)}${code}\n`);
    process.exitCode = 1;
  });
}
