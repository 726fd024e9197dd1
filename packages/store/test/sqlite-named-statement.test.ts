import Database from 'better-sqlite3';
import { NamedStatement } from '../src/sqlite/sqlite-named-statement';

/** Named in the source, bound by position: the names decide which value goes where. */
describe('NamedStatement', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    db.exec('create table t (a text, b integer, c text)');
  });
  afterEach(() => db.close());

  it('binds each value to its name whatever the order of the keys, ignoring extra keys', () => {
    const insert = new NamedStatement(db, 'insert into t (c, a, b) values (@c, @a, @b)');
    insert.run({ b: 2, a: 'x', c: 'z', unrelated: 'ignored' });
    insert.run({ c: 'z2', unrelated: 1, a: 'x2', b: 3 });
    expect(db.prepare('select a, b, c from t order by b').all()).toEqual([
      { a: 'x', b: 2, c: 'z' },
      { a: 'x2', b: 3, c: 'z2' },
    ]);
  });

  it('binds a name used twice to the same value; plucks, gets and reads all rows', () => {
    const insert = new NamedStatement(db, 'insert into t (a, b, c) values (@v, @n, @v)');
    insert.run({ v: 'same', n: 1 });
    insert.run({ v: 'other', n: 2 });
    const as = new NamedStatement<string>(db, 'select a from t where b >= @min order by b').pluck();
    expect(as.all({ min: 1 })).toEqual(['same', 'other']);
    expect(as.get({ min: 2 })).toBe('other');
    expect(new NamedStatement(db, 'select count(*) as n from t where a = c').get()).toEqual({ n: 2 });
  });

  it('refuses a missing parameter by name and writes nothing', () => {
    const insert = new NamedStatement(db, 'insert into t (a, b) values (@a, @b)');
    expect(() => insert.run({ a: 'x' })).toThrow(new RangeError('missing named parameter "b"'));
    expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 0 });
  });

  it('binds null as null: only undefined is missing', () => {
    new NamedStatement(db, 'insert into t (a, b) values (@a, @b)').run({ a: null, b: 3 });
    expect(db.prepare('select a, b from t').get()).toEqual({ a: null, b: 3 });
  });

  it('takes only identifiers as names, so a name cannot carry code into the reader', () => {
    // `@a.b` is the parameter `a` followed by `.b`, which SQLite rejects; nothing is evaluated.
    expect(() => new NamedStatement(db, 'select @a.b')).toThrow();
    expect(new NamedStatement(db, 'select @a_1 as v').get({ a_1: 5 })).toEqual({ v: 5 });
  });
});
