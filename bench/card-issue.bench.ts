/**
 * `npm run bench -- card-issue [--runs N] [--algorithm rsa2048|eccp256] [--escrow on|off] [--reader 0|1]`: wall
 * time to personalise one card — own management key, PIN/PUK and retry limits, four keys (9A, 9C, 9D, 9E), four
 * certificates from the vault CA, CHUID and CCC, active in the directory; PIN letters excluded —
 * on the virtual PIV card in a vpcd reader (the card in its own process, as a real card sits
 * outside the host), step by step. Anchor, on the same card in the same run: the same card work as
 * an administrator scripts it with yubico-piv-tool (one process per action group) and OpenSSL
 * for the certificates. Goal: ≤ 3 s per card.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventHub } from '../electron/core/api/event-hub';
import { MemoryAuditTrail } from '../electron/core/audit/audit-trail';
import { ReaderHolds } from '../electron/core/cards/reader-holds';
import { createLifecycleServices } from '../electron/core/lifecycle/lifecycle-services';
import { silentLogger } from '../electron/core/log/logger';
import { ApduTransport } from '../electron/core/piv/apdu-transport';
import { PivClient } from '../electron/core/piv/piv-client';
import { factoryReset } from '../electron/core/piv/piv-procedures';
import { loadPcscLite } from '../electron/core/readers/pcsc-binding';
import { PcscReaderService } from '../electron/core/readers/pcsc-reader-service';
import { createVaultServices } from '../electron/core/vault/vault-services';
import { AsymmetricAlgorithmSchema } from '../electron/shared/schemas/cards';
import type { WorkflowStep } from '../electron/shared/schemas/lifecycle';
import { stepText } from '../electron/cli/lifecycle-command';
import { repoRoot } from '../test/support/host-process';
import { Pcscd } from '../test/support/pcscd';
import { run } from '../test/support/run';
import { holderInput, operator, PASSPHRASE } from '../test/support/vault-fixtures';
import { waitUntil } from '../test/support/wait';
import { absolute, compare, formatMs, percentile } from './report';
import type { Benchmark } from './run';

const FACTORY_KEY = '010203040506070801020304050607080102030405060708';

async function startCard(stateFile: string, reader: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'electron', 'cli', 'index.ts'), 'vcard', 'serve', '--reader', reader, '--state', stateFile], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('inserted')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the virtual card stopped (${code})`)));
  });
  return child;
}

const median = (values: readonly number[]): number => percentile(values, 50);

export const benchmark: Benchmark = {
  description: 'personalise one card (4 keys, 4 certificates, no letters) over PC/SC, step by step, vs yubico-piv-tool + OpenSSL',
  async run(args) {
    const { values } = parseArgs({ args: [...args], options: { runs: { type: 'string', default: '5' }, algorithm: { type: 'string', default: 'rsa2048' }, escrow: { type: 'string', default: 'on' }, reader: { type: 'string', default: '0' } } });
    if (values.reader !== '0' && values.reader !== '1') throw new Error('--reader is 0 or 1 (the two vpcd readers)');
    const READER = `Virtual PCD 00 0${values.reader}`;
    const runs = Number(values.runs);
    const algorithm = AsymmetricAlgorithmSchema.parse(values.algorithm);
    const work = mkdtempSync(join(tmpdir(), 'carddesk-bench-issue-'));
    const pcscd = await Pcscd.ensure();
    const card = await startCard(join(work, 'card.json'), values.reader);
    const readers = new PcscReaderService({ loadOpener: loadPcscLite, emit: new EventHub().emit, log: silentLogger });
    const vault = createVaultServices({ dataDir: work, audit: new MemoryAuditTrail(), log: silentLogger });
    try {
      await readers.start();
      await waitUntil(() => readers.list().readers.find((r) => r.name === READER)?.cardState === 'present', 10_000, 'the card in the reader');
      await vault.vault.init(Buffer.from(PASSPHRASE), operator);
      await vault.ca.init({ algorithm: 'p384', rootSubject: 'CN=Bench Root', issuingSubject: 'CN=Bench Issuing', rootValidityYears: 10, issuingValidityYears: 5, publicBaseUrl: null }, operator);
      const steps: { step: WorkflowStep; at: number; state: string }[] = [];
      const desk = createLifecycleServices({ dataDir: work, vault, holds: new ReaderHolds(readers), audit: new MemoryAuditTrail(), emit: (p) => steps.push({ step: p.step, at: performance.now(), state: p.state }) });
      await desk.lifecycle.updatePolicy({ keys: { authentication: algorithm, signature: algorithm, encryption: algorithm }, escrowEncryptionKeys: values.escrow === 'on' }, operator);
      console.log(`card in "${READER}"; ${runs} cards each way; keys ${algorithm}, encryption key ${values.escrow === 'on' ? 'escrowed (made in the vault, imported)' : 'made on the card'}\n`);

      // CardDesk: the whole personalisation, letters excluded, per step.
      const totals: number[] = [];
      const perStep = new Map<WorkflowStep, number[]>();
      for (let i = 0; i < runs + 1; i += 1) {
        const saved = await vault.directory.create(holderInput(9000 + i), operator);
        if (!saved.ok) throw new Error('holder not saved');
        steps.length = 0;
        const result = await desk.issuer.issue({ reader: READER, holderId: saved.holder.id }, operator);
        if (!result.ok) throw new Error(`issuance stopped at ${result.step}: ${result.reason}`);
        const durations = new Map<WorkflowStep, number>();
        for (const event of steps) {
          if (event.state !== 'done') continue;
          const began = steps.find((e) => e.step === event.step && e.state === 'running')?.at ?? event.at;
          durations.set(event.step, event.at - began);
        }
        const retired = await desk.lifecycle.retire(READER, operator);
        if (!retired.ok) throw new Error(`retire failed: ${retired.reason}`);
        if (i === 0) continue; // warm-up: first use of the vault's escrow key, module loading
        totals.push([...durations].filter(([step]) => step !== 'letters').reduce((sum, [, ms]) => sum + ms, 0));
        for (const [step, ms] of durations) perStep.set(step, [...(perStep.get(step) ?? []), ms]);
      }

      // Anchor: the same card work with yubico-piv-tool and OpenSSL, one process per action group.
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-keyout', join(work, 'ca.key'), '-out', join(work, 'ca.pem'), '-subj', '/CN=Anchor CA', '-days', '3650'], { stdio: 'ignore' });
      writeFileSync(join(work, 'ext.cnf'), 'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
      const yb = async (...action: string[]): Promise<void> => {
        const result = await run('yubico-piv-tool', ['-r', READER, ...action]);
        if (result.code !== 0) throw new Error(`yubico-piv-tool ${action.join(' ')}: ${result.stderr}`);
      };
      const ybAlgorithm = { rsa2048: 'RSA2048', eccp256: 'ECCP256', rsa3072: 'RSA2048', rsa4096: 'RSA2048', eccp384: 'ECCP384' }[algorithm];
      const anchor: number[] = [];
      for (let i = 0; i < runs + 1; i += 1) {
        const connection = await readers.connect(READER);
        await new PivClient(new ApduTransport(connection)).select();
        await factoryReset(new PivClient(new ApduTransport(connection)));
        await connection.close('reset');
        const newKey = randomBytes(24).toString('hex');
        const started = performance.now();
        await yb(`-k${FACTORY_KEY}`, '-a', 'set-mgm-key', '-n', newKey);
        await yb(`-k${newKey}`, '-a', 'verify-pin', '-P', '123456', '-a', 'pin-retries', '--pin-retries', '3', '--puk-retries', '3');
        await yb('-a', 'change-pin', '-P', '123456', '-N', '24681357');
        await yb('-a', 'change-puk', '-P', '12345678', '-N', '11223344');
        for (const slot of ['9a', '9c', '9d', '9e']) {
          await yb(`-k${newKey}`, '-a', 'generate', '-s', slot, '-A', ybAlgorithm, '-o', join(work, `${slot}.pub`));
          const cert = await run('openssl', ['x509', '-new', '-force_pubkey', join(work, `${slot}.pub`), '-subj', `/CN=Anchor ${slot}`, '-CA', join(work, 'ca.pem'), '-CAkey', join(work, 'ca.key'), '-days', '1095', '-extfile', join(work, 'ext.cnf'), '-out', join(work, `${slot}.pem`)]);
          if (cert.code !== 0) throw new Error(`openssl x509: ${cert.stderr}`);
        }
        await yb(`-k${newKey}`, '-a', 'import-certificate', '-s', '9a', '-i', join(work, '9a.pem'), '-a', 'set-chuid', '-a', 'set-ccc');
        await yb(`-k${newKey}`, '-a', 'import-certificate', '-s', '9c', '-i', join(work, '9c.pem'));
        await yb(`-k${newKey}`, '-a', 'import-certificate', '-s', '9d', '-i', join(work, '9d.pem'));
        await yb(`-k${newKey}`, '-a', 'import-certificate', '-s', '9e', '-i', join(work, '9e.pem'));
        if (i > 0) anchor.push(performance.now() - started);
      }

      console.log('CardDesk, step by step (median of the runs):');
      for (const [step, samples] of perStep) console.log(`  ${stepText[step].padEnd(42)} ${formatMs(median(samples)).padStart(9)}${step === 'letters' ? '   (not counted)' : ''}`);
      console.log('');
      const ours = median(totals);
      const base = median(anchor);
      const met = [
        absolute({ what: 'personalise one card, CardDesk (median)', value: ours, unit: 'ms', goal: { max: 3000, text: '≤ 3000 ms' } }),
        compare({ what: 'personalise one card', ours, anchor: base, anchorName: 'yubico-piv-tool + openssl script', unit: 'ms', better: 'lower' }),
      ];
      console.log(`\nCardDesk's run also registers the card, escrows the encryption key, records each step and keeps every certificate in the vault; the anchor does none of that.`);
      console.log(`${met.filter(Boolean).length} of ${met.length} checks meet the goal`);
    } finally {
      await vault.close();
      readers.dispose();
      card.stdin?.write('quit\n');
      await new Promise((resolve) => card.once('exit', resolve));
      await pcscd.stop();
    }
  },
};
