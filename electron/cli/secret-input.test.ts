import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SecretReader } from './secret-input';

function piped(text: string, end = true): { reader: SecretReader; output: string[] } {
  const input = new PassThrough();
  const output: string[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const reader = new SecretReader(input, sink);
  input.write(text);
  if (end) input.end();
  return { reader, output };
}

describe('SecretReader', () => {
  it('reads one secret per line from piped stdin, without prompting', async () => {
    const { reader, output } = piped('123456\n654321\r\n777777');
    expect((await reader.read('PIN: ')).toString()).toBe('123456');
    expect((await reader.read('New PIN: ')).toString()).toBe('654321');
    expect((await reader.read('Again: ')).toString()).toBe('777777');
    expect(output).toEqual([]);
  });

  it('says which secret is missing when input ends early', async () => {
    const { reader } = piped('123456\n');
    await reader.read('PIN: ');
    await expect(reader.read('New PIN: ')).rejects.toThrow('no input left for "New PIN"');
  });

  it('waits for input that arrives later', async () => {
    const input = new PassThrough();
    const reader = new SecretReader(input, new PassThrough());
    const pending = reader.read('PIN: ');
    setTimeout(() => input.write('12'), 5);
    setTimeout(() => input.write('34\n'), 10);
    expect((await pending).toString()).toBe('1234');
  });
});
