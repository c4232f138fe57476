import { runMain } from './main';

runMain({ argv: process.argv, distDir: __dirname, env: process.env });
