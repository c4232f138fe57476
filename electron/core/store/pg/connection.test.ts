import { describe, expect, it } from 'vitest';
import { CardDeskError } from '../../../shared/errors';
import { databaseError, openPool, redactUrl } from './connection';

describe('team database URLs in messages', () => {
  it('hide the password, whatever the form of the URL', () => {
    expect(redactUrl('postgres://desk:Tr0ub4dor@db.example:5432/carddesk')).toBe('postgres://desk:***@db.example:5432/carddesk');
    expect(redactUrl('postgresql://desk@db.example/carddesk')).toBe('postgresql://desk@db.example/carddesk');
    expect(redactUrl('host=db user=desk password=Tr0ub4dor dbname=carddesk')).toBe('host=db user=desk password=*** dbname=carddesk');
    expect(redactUrl('postgres://desk:Tr0ub4dor@db example/x')).not.toContain('Tr0ub4dor');
  });

  it('name the failure by what people can do about it, without the password', () => {
    const url = 'postgres://desk:Tr0ub4dor@db.example/carddesk';
    const auth = databaseError(Object.assign(new Error('password authentication failed for user "desk"'), { code: '28P01' }), url);
    expect(auth).toMatchObject({ code: 'DATABASE_UNREACHABLE', message: 'The database at postgres://desk:***@db.example/carddesk refused the user name or password.' });
    expect(databaseError(Object.assign(new Error('database "carddesk" does not exist'), { code: '3D000' }), url).message).toContain('does not exist');
    expect(databaseError(Object.assign(new Error(`connect ECONNREFUSED ${url}`), { code: 'ECONNREFUSED' }), url).code).toBe('DATABASE_UNREACHABLE');
    const other = databaseError(new Error(`syntax error near ${url}`), url);
    expect(other.code).toBe('INTERNAL');
    expect(other.message).not.toContain('Tr0ub4dor');
    const own = new CardDeskError('DATABASE_VERSION', 'kept');
    expect(databaseError(own, url)).toBe(own);
  });

  it('refuse an empty URL before connecting', () => {
    expect(() => openPool(' ', { kind: 'desk' })).toThrow(/CARDDESK_DATABASE_URL/);
  });
});
