import { CardDeskError } from '../shared/errors';
import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    // Stable codes let scripts tell "in use" or "wrong passphrase" from other failures.
    const code = error instanceof CardDeskError ? ` [${error.code}]` : '';
    process.stderr.write(`carddesk: ${(error as Error).message}${code}\n`);
    process.exitCode = 1;
  });
