// Every command module registers itself on the program. Add one line per command.
import type { Command } from 'commander';

export type Register = (program: Command) => void;

export const commands: Register[] = [];
