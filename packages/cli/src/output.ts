import type { Json } from '@kestrion/core';

/** Where the CLI writes: stdout for results, stderr for progress and errors. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};
export type Style = keyof typeof CODES;

/** Colour only on a terminal, never with NO_COLOR set (https://no-color.org) or TERM=dumb. */
export function colourFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/**
 * One command's output. With `--json`, stdout receives exactly one JSON document (the result,
 * or `{ "error": ... }`) and nothing else; progress always goes to stderr.
 */
export class Output {
  private readonly colour: boolean;
  private wroteJson = false;

  constructor(
    readonly io: CliIo,
    readonly json: boolean,
  ) {
    this.colour = colourFor(io.stdout, io.env);
  }

  /** `text` in a style, when stdout is a terminal that wants colour. */
  style(style: Style, text: string): string {
    if (!this.colour) return text;
    const [on, off] = CODES[style];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  }

  /** Human result lines (nothing in JSON mode). */
  lines(lines: string | readonly string[]): void {
    if (this.json) return;
    const all = typeof lines === 'string' ? [lines] : lines;
    for (const l of all) this.io.stdout.write(`${l}\n`);
  }

  /** Progress for a person: stderr, so stdout stays the result (and the one JSON document). */
  progress(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  /** The command's result: the JSON document with `--json`, else the human lines. */
  result(doc: Json | object, human: () => string | readonly string[]): void {
    if (this.json) this.writeJson(doc);
    else this.lines(human());
  }

  /** An error: stderr always; with `--json`, also `{ "error": ... }` as the stdout document. */
  error(message: string, detail: { code: string; exitCode: number; fix?: string }): void {
    this.io.stderr.write(`${this.errStyle(`kestrion: ${message}`)}\n`);
    if (detail.fix !== undefined) this.io.stderr.write(`Fix: ${detail.fix}\n`);
    if (this.json && !this.wroteJson)
      this.writeJson({
        error: { code: detail.code, message, ...(detail.fix !== undefined ? { fix: detail.fix } : {}) },
        exitCode: detail.exitCode,
      });
  }

  private errStyle(text: string): string {
    return colourFor(this.io.stderr, this.io.env) ? `\u001b[31m${text}\u001b[39m` : text;
  }

  private writeJson(doc: unknown): void {
    if (this.wroteJson) return;
    this.wroteJson = true;
    this.io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  }
}
