/**
 * The reader a CLI command works with (every command that takes `--reader`): the one named, or
 * else the only one holding a card. One place, so every command refuses with the same messages.
 */
import type { ReaderRegistry } from '../core/readers/reader-registry';

/** The reader to use: the one named, or the only one holding a card. */
export function chooseReader(readers: Pick<ReaderRegistry, 'list'>, wanted: string | undefined): string {
  const list = readers.list().readers;
  if (wanted !== undefined) {
    if (!list.some((reader) => reader.name === wanted)) throw new Error(`No reader named "${wanted}". Readers: ${list.map((r) => r.name).join(', ') || 'none'}.`);
    return wanted;
  }
  const withCard = list.filter((reader) => reader.cardState !== 'absent');
  if (withCard.length === 1 && withCard[0] !== undefined) return withCard[0].name;
  if (withCard.length === 0) throw new Error('No reader holds a card.');
  throw new Error(`Several readers hold a card; choose one with --reader: ${withCard.map((r) => r.name).join(', ')}.`);
}
