import type { Command } from 'commander';

/**
 * Registers `kestrion init <dir>`: scaffolds a Kestrion project.
 * (Placeholder while the implementation lands.)
 */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('scaffold a Kestrion project in <dir>')
    .argument('<dir>', 'target directory');
}
