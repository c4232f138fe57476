/** dist/cli-boot.cjs: runs the `carddesk` command (dist/cli.cjs) through V8's code cache. */
import { join } from 'node:path';
import { runWithCodeCache } from './code-cache';

runWithCodeCache(join(__dirname, 'cli.cjs'));
