import type { ts } from 'ts-morph';

/** A type the compiler cannot turn into JSON Schema, found at `path` inside a tool's signature. */
export interface SchemaIssue {
  /** Where in the argument object: `opts.callback`, `items[]`, `(returns)`. */
  path: string;
  /** What is wrong. */
  message: string;
  /** What to change. */
  fix: string;
  /** The declaration that carries the type, when it is not the parameter itself. */
  declaration?: ts.Node;
  /** The exact spot to report (a JSDoc tag), when it is not the parameter. */
  at?: ts.Node;
}
