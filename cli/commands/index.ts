import type { Command } from 'commander';

/**
 * Every command, declared in one place. A declaration only describes the command's options; its module is imported
 * when the command runs (`await import(...)`), so `three-tier --help` loads nothing it does not show.
 */
export type CommandDeclaration = (program: Command) => void;

export const commands: readonly CommandDeclaration[] = [];
