import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { validateArgs, verifyManifest } from '@kestrion/agent';
import type { ToolManifest } from '@kestrion/core';
import { ManifestCompiler, formatDiagnostic, type CompileResult } from '@kestrion/compiler';
import { throwawayTsconfig } from './throwaway-tsconfig';

const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Compiles a throwaway project with one `src/agent.ts`. */
function compile(source: string, extra: Record<string, string> = {}): CompileResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-jsdoc-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'src'));
  const tsconfig = path.join(dir, 'tsconfig.json');
  fs.writeFileSync(tsconfig, throwawayTsconfig());
  fs.writeFileSync(path.join(dir, 'src', 'agent.ts'), source);
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, 'src', name), text);
  return ManifestCompiler.fromTsConfig(tsconfig).compile();
}

function agent(body: string, prelude = ''): string {
  return `import { tool } from '@kestrion/agent';
${prelude}
export class A {
${body}
}
`;
}

/** 1-based `line:column` of the first occurrence of `text` in `source`. */
function at(source: string, text: string): string {
  const index = source.indexOf(text);
  if (index < 0) throw new Error(`${text} not in source`);
  const before = source.slice(0, index).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

function props(manifest: ToolManifest, key: string): Record<string, Record<string, unknown>> {
  return manifest.tools[key]?.parameters.properties as Record<string, Record<string, unknown>>;
}

/** The manifest of a compile without problems, checked the way the runtime loads it (strict ajv, hashes). */
function clean(result: CompileResult): ToolManifest {
  expect(result.diagnostics.map(formatDiagnostic)).toEqual([]);
  return verifyManifest(result.manifest, 'test');
}

describe('constraint tags in the method JSDoc', () => {
  const source = agent(`  /**
   * Refund an order.
   * @param orderId The order.
   * @param amount The amount in cents.
   * @minimum 1
   * @maximum 500
   * @param reason Why. @minLength 3 @maxLength 200
   * @param note A note. @pattern ^[a-z ]*$
   * @param channel How it was asked. @default "email"
   * @integer amount
   * @returns the refund id
   * @example refund("o-1", 100, "broken")
   */
  @tool()
  async refund(orderId: string, amount: number, reason: string, note?: string, channel?: string): Promise<string> {
    return orderId + amount + reason + (note ?? '') + (channel ?? '');
  }`);

  it('applies a tag on the line after @param, or on the @param line, to that parameter', () => {
    const p = props(clean(compile(source)), 'A.refund');
    expect(p.amount).toEqual({
      type: 'integer',
      description: 'The amount in cents.',
      minimum: 1,
      maximum: 500,
    });
    expect(p.reason).toEqual({ type: 'string', description: 'Why.', minLength: 3, maxLength: 200 });
    expect(p.note).toEqual({ type: 'string', description: 'A note.', pattern: '^[a-z ]*$' });
    expect(p.channel).toEqual({ type: 'string', description: 'How it was asked.', default: 'email' });
    expect(p.orderId).toEqual({ type: 'string', description: 'The order.' });
  });

  it('enforces the bound at validation time', () => {
    const manifest = clean(compile(source));
    const entry = manifest.tools['A.refund'];
    if (entry === undefined) throw new Error('no tool');
    expect(validateArgs(entry, { orderId: 'o', amount: 10_000, reason: 'too much' }).ok).toBe(false);
    expect(validateArgs(entry, { orderId: 'o', amount: 100, reason: 'fine' }).ok).toBe(true);
  });

  it('applies a tag that names its parameter (`@minimum amount 1`) wherever it stands', () => {
    const p = props(
      clean(
        compile(
          agent(`  /**
   * Pay.
   * @minimum amount 1
   * @maximum amount 500
   * @param amount The amount.
   * @param memo A memo.
   * @maxLength memo 20
   */
  @tool()
  async pay(amount: number, memo: string): Promise<void> {
    void amount;
    void memo;
  }`),
        ),
      ),
      'A.pay',
    );
    expect(p.amount).toEqual({ type: 'number', description: 'The amount.', minimum: 1, maximum: 500 });
    expect(p.memo).toEqual({ type: 'string', description: 'A memo.', maxLength: 20 });
  });

  it('applies `@param opts.limit` tags to the property inside an inline object parameter', () => {
    const p = props(
      clean(
        compile(
          agent(`  /**
   * List.
   * @param opts Options.
   * @param opts.limit Page size. @minimum 1 @maximum 100
   */
  @tool()
  async list(opts: { limit: number; cursor?: string }): Promise<void> {
    void opts;
  }`),
        ),
      ),
      'A.list',
    );
    expect(p.opts).toMatchObject({
      description: 'Options.',
      properties: { limit: { type: 'number', description: 'Page size.', minimum: 1, maximum: 100 } },
    });
  });

  it('fails a constraint tag that follows no @param, at the tag, with the two ways to write it', () => {
    const text = agent(`  /**
   * Pay.
   * @minimum 1
   * @param amount The amount.
   */
  @tool()
  async pay(amount: number): Promise<void> {
    void amount;
  }`);
    const [d, ...rest] = compile(text).diagnostics;
    expect(rest).toEqual([]);
    expect(`${d?.line}:${d?.column}`).toBe(at(text, '@minimum 1'));
    expect(d?.message).toContain('does not say which parameter');
    expect(d?.fix).toContain('@param amount … @minimum 1');
    expect(d?.fix).toContain('@minimum amount 1');
  });

  it('fails a @param that names no parameter, suggesting the closest one', () => {
    const text = agent(`  /**
   * Pay.
   * @param amout The amount. @maximum 500
   */
  @tool()
  async pay(amount: number): Promise<void> {
    void amount;
  }`);
    const [d, ...rest] = compile(text).diagnostics;
    expect(rest).toEqual([]);
    expect(`${d?.line}:${d?.column}`).toBe(at(text, 'amout'));
    expect(d?.message).toMatch(/@param amout names no parameter of A\.pay.*did you mean `amount`/);
    expect(d?.fix).toBe('write `@param amount`');
  });

  it('fails the same tag set differently in the method JSDoc and the parameter block', () => {
    const text = agent(`  /**
   * Pay.
   * @param amount The amount. @maximum 500
   */
  @tool()
  async pay(
    /** @maximum 600 */
    amount: number,
  ): Promise<void> {
    void amount;
  }`);
    const [d, ...rest] = compile(text).diagnostics;
    expect(rest).toEqual([]);
    expect(`${d?.line}:${d?.column}`).toBe(at(text, '@maximum 600'));
    expect(d?.message).toContain('@maximum is set twice');
  });
});

describe('unknown JSDoc tags', () => {
  it('fail at file:line:col with the closest known tag, wherever the compiler reads JSDoc', () => {
    const types = `/** @formt email */
export type Email = string;

export interface Order {
  /** @minimun 0 */
  total: number;
}
`;
    const text = agent(
      `  /**
   * Pay.
   * @param amount The amount. @max 500
   * @param order The order.
   * @retuns nothing
   */
  @tool()
  async pay(amount: number, order: Order, to: Email, /** @maxLenght 20 */ memo: string): Promise<void> {
    void amount;
    void order;
    void to;
    void memo;
  }`,
      `import type { Email, Order } from './types';`,
    );
    const result = compile(text, { 'types.ts': types });
    const found = result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.message} | ${d.fix}`);
    expect(found).toEqual([
      `src/agent.ts:${at(text, '@max 500')} unknown JSDoc tag \`@max\` (did you mean \`@maximum\`?) | write \`@maximum\`, or remove the tag`,
      `src/agent.ts:${at(text, '@retuns')} unknown JSDoc tag \`@retuns\` (did you mean \`@returns\`?) | write \`@returns\`, or remove the tag`,
      `src/agent.ts:${at(text, '@maxLenght')} unknown JSDoc tag \`@maxLenght\` (did you mean \`@maxLength\`?) | write \`@maxLength\`, or remove the tag`,
      `src/types.ts:${at(types, '@formt')} unknown JSDoc tag \`@formt\` (did you mean \`@format\`?) | write \`@format\`, or remove the tag`,
      `src/types.ts:${at(types, '@minimun')} unknown JSDoc tag \`@minimun\` (did you mean \`@minimum\`?) | write \`@minimum\`, or remove the tag`,
    ]);
  });

  it('accept the standard TSDoc and JSDoc tags', () => {
    const text = agent(`  /**
   * Pay.
   * @remarks Money moves.
   * @param amount - The amount.
   * @returns nothing
   * @throws {Error} when the bank is down
   * @example pay(1)
   * @see https://example.com
   * @since 1.2
   * @internal
   * @deprecated use payV2
   */
  @tool()
  async pay(amount: number): Promise<void> {
    void amount;
  }`);
    const p = props(clean(compile(text)), 'A.pay');
    expect(p.amount).toEqual({ type: 'number', description: 'The amount.' });
  });
});

describe('JSDoc of a type alias of a primitive', () => {
  const prelude = `/** A work email. @format email */
type Email = string;
/** @minimum 0 @maximum 100 */
type Percent = number;
/** @pattern ^\\+[0-9]+$ */
type Phone = string;
type WorkEmail = Email;`;

  it('applies wherever the alias is used: arrays, nested properties, unions, tuples, records, returns', () => {
    const text = agent(
      `  /** Notify. */
  @tool()
  async notify(
    emails: Email[],
    readonlyEmails: readonly Email[],
    generic: Array<Email>,
    team: { owner: { email: Email }; cc?: Email[] },
    backup: Email | null,
    optional?: Email,
    contact?: Email | Phone,
    pair?: [Email, Percent],
    byName?: Record<string, Email>,
    chained?: WorkEmail,
  ): Promise<Email[]> {
    void [emails, readonlyEmails, generic, team, backup, optional, contact, pair, byName, chained];
    return [];
  }`,
      prelude,
    );
    const manifest = clean(compile(text));
    const p = props(manifest, 'A.notify');
    const email = { type: 'string', description: 'A work email.', format: 'email' };
    expect(p.emails).toEqual({ type: 'array', items: email });
    expect(p.readonlyEmails).toEqual({ type: 'array', items: email });
    expect(p.generic).toEqual({ type: 'array', items: email });
    expect(p.team).toMatchObject({
      properties: {
        owner: { properties: { email } },
        cc: { type: 'array', items: email },
      },
    });
    expect(p.backup).toEqual({ ...email, type: ['string', 'null'] });
    expect(p.optional).toEqual(email);
    expect(p.contact).toEqual({ anyOf: [email, { type: 'string', pattern: '^\\+[0-9]+$' }] });
    expect(p.pair).toMatchObject({ prefixItems: [email, { type: 'number', minimum: 0, maximum: 100 }] });
    expect(p.byName).toEqual({ type: 'object', additionalProperties: email });
    expect(p.chained).toEqual(email);
    expect(manifest.tools['A.notify']?.returns).toEqual({ type: 'array', items: email });
    const entry = manifest.tools['A.notify'];
    if (entry === undefined) throw new Error('no tool');
    expect(
      validateArgs(entry, {
        emails: ['not-an-email'],
        readonlyEmails: [],
        generic: [],
        team: { owner: { email: 'a@b.co' } },
        backup: null,
      }).ok,
    ).toBe(false);
  });

  it('fails where a generic erases the alias instead of dropping its JSDoc', () => {
    const text = agent(
      `  /** Notify. */
  @tool()
  async notify(box: Box<Email>): Promise<void> {
    void box;
  }`,
      `${prelude}\ninterface Box<T> { value: T }`,
    );
    const [d, ...rest] = compile(text).diagnostics;
    expect(rest).toEqual([]);
    expect(`${d?.line}:${d?.column}`).toBe(at(text, 'Email>): Promise'));
    expect(d?.message).toContain('is lost inside `Box<Email>`');
  });
});

describe('parameter initializers', () => {
  it('become the schema default when they are JSON literals, and make the parameter optional', () => {
    const text = agent(
      `  /** List. */
  @tool()
  async list(
    namespace = 'default',
    limit = 10,
    dryRun = false,
    offset: number = -1,
    kinds: string[] = ['pod', 'svc'],
    filter: { env: string } = { env: 'prod' },
    env: Env = Env.Prod,
    computed: number = Date.now(),
    fromConst: string = NAME,
  ): Promise<void> {
    void [namespace, limit, dryRun, offset, kinds, filter, env, computed, fromConst];
  }`,
      `enum Env { Dev = 'dev', Prod = 'prod' }\nconst NAME = 'x';`,
    );
    const manifest = clean(compile(text));
    const p = props(manifest, 'A.list');
    expect(p.namespace).toEqual({ type: 'string', default: 'default' });
    expect(p.limit).toEqual({ type: 'number', default: 10 });
    expect(p.dryRun).toEqual({ type: 'boolean', default: false });
    expect(p.offset).toEqual({ type: 'number', default: -1 });
    expect(p.kinds).toEqual({ type: 'array', items: { type: 'string' }, default: ['pod', 'svc'] });
    expect(p.filter).toMatchObject({ default: { env: 'prod' } });
    expect(p.env).toMatchObject({ enum: ['dev', 'prod'], default: 'prod' });
    expect(p.computed).toEqual({ type: 'number' });
    expect(p.fromConst).toEqual({ type: 'string' });
    expect(manifest.tools['A.list']?.parameters.required).toBeUndefined();
  });

  it('fails a @default that disagrees with the initializer', () => {
    const text = agent(`  /**
   * List.
   * @param limit Page size. @default 20
   */
  @tool()
  async list(limit = 10): Promise<void> {
    void limit;
  }`);
    const [d, ...rest] = compile(text).diagnostics;
    expect(rest).toEqual([]);
    expect(`${d?.line}:${d?.column}`).toBe(at(text, '10)'));
    expect(d?.message).toBe('`@default 20` disagrees with the initializer `10`');
  });
});
