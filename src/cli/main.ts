#!/usr/bin/env -S node --max-semi-space-size=32
/** The `k8ts` command: one binary, many subcommands (as k3s). The node flags: see node-flags.ts. */
import 'reflect-metadata';
import { UsageError } from './flags.js';
import { serverCommand } from './commands/server.js';
import { agentCommand } from './commands/agent.js';
import { imageCommand } from './commands/image.js';
import { checkCommand } from './commands/check.js';
import { simulateCommand } from './commands/simulate.js';
import { cleanupCommand } from './commands/cleanup.js';
import { k8tsVersion, serverVersion } from './version.js';

interface Command { name: string; summary: string; run(argv: string[]): Promise<number> }

const commands: Command[] = [
  serverCommand,
  agentCommand,
  imageCommand,
  checkCommand,
  simulateCommand,
  cleanupCommand,
  { name: 'version', summary: 'Print the version', async run() { console.log(`k8ts version v${k8tsVersion} (Kubernetes ${serverVersion().gitVersion})`); return 0; } },
];

function usage(): string {
  return ['Usage: k8ts <command> [flags]', '', 'Commands:', ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`), '', 'Run `k8ts <command> --help` for its flags.'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') return commands.find((c) => c.name === 'version')!.run([]);
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`k8ts: unknown command "${name}"\n\n${usage()}`);
    return 1;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`k8ts ${name}: ${err.message}`);
      return 1;
    }
    console.error(`k8ts ${name}: ${err instanceof Error ? err.message : String(err)}`);
    if (err instanceof Error && err.cause) console.error(`  caused by: ${err.cause instanceof Error ? err.cause.message : String(err.cause)}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
