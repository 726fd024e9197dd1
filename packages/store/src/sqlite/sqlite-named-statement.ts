import type Database from 'better-sqlite3';

/** `@name` parameters, as the store's SQL is written (no store statement has `@` in a literal). */
const NAMED_PARAMETER = /@([A-Za-z_][A-Za-z0-9_]*)/g;

type Method = 'run' | 'get' | 'all';
/** Calls one method of a prepared statement with the values read off a parameter object. */
type Caller<R> = (statement: Database.Statement, params: object) => R;

/**
 * A caller made for one statement and method: `(s, p) => s.run(p.runId, p.seq, ...)`.
 * Generated because every statement then reads its own object's properties at sites of its
 * own, which V8 keeps fast (one loop reading every statement's names through `params[name]`
 * turns megamorphic), and because better-sqlite3 binds separate arguments more cheaply than
 * the elements of one array (each element is a V8 API `Get`: about 0.4 µs for 18 values). The
 * names come from NAMED_PARAMETER, identifiers only, so the generated text is nothing but
 * property reads. A missing value is refused by name, as better-sqlite3 does for named
 * parameters.
 */
function callerFor<R>(method: Method, names: readonly string[]): Caller<R> {
  const reads = names.map((n) => `p.${n}`).join(', ');
  const checks = names.map(
    (n) => `if (p.${n} === undefined) throw new RangeError('missing named parameter "${n}"');`,
  );
  return new Function('s', 'p', `${checks.join('\n')}\nreturn s.${method}(${reads});`) as Caller<R>;
}

/**
 * A statement written with named parameters (`where run_id = @runId`) and bound by position.
 * The source keeps the names, so no statement depends on the order of a value list; the binding
 * is positional because better-sqlite3 looks each named parameter up on the object through V8's
 * C++ API (`HasOwnProperty`, then `Get`), several hundred instructions a parameter: about 7% of
 * the CPU of an approve + resume, counted with callgrind.
 */
export class NamedStatement<Row = unknown> {
  private readonly statement: Database.Statement<unknown[], Row>;
  private readonly names: string[] = [];
  // Made on first use: most statements are only ever run, or only ever read from, and a store
  // prepares a few dozen at open.
  private callRun: Caller<Database.RunResult> | undefined;
  private callGet: Caller<Row | undefined> | undefined;
  private callAll: Caller<Row[]> | undefined;

  constructor(db: Database.Database, source: string) {
    const sql = source.replace(NAMED_PARAMETER, (_, name: string) => {
      this.names.push(name);
      return '?';
    });
    this.statement = db.prepare<unknown[], Row>(sql);
  }

  /** Returns only the first column of each row, as better-sqlite3's `pluck` does. */
  pluck(): this {
    this.statement.pluck();
    return this;
  }

  run(params: object = {}): Database.RunResult {
    return (this.callRun ??= callerFor('run', this.names))(this.statement, params);
  }

  get(params: object = {}): Row | undefined {
    return (this.callGet ??= callerFor('get', this.names))(this.statement, params);
  }

  all(params: object = {}): Row[] {
    return (this.callAll ??= callerFor('all', this.names))(this.statement, params);
  }
}
