import { buildProgram } from './program';

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`carddesk: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
