import type { Exec } from '../network/exec.js';
import type { IptablesTools } from './apply.js';
import { applyRestore, nftTools, planCleanup, saveTables } from './apply.js';

/**
 * Removes every rule and chain the proxy wrote (`k8ts cleanup`): the jumps from the built-in
 * chains into K8TS- chains, then the K8TS- chains themselves, in one restore. Returns the
 * number of restore lines written (0 when nothing of ours was left).
 */
export async function cleanupProxyRules(exec: Exec, signal?: AbortSignal, tools: IptablesTools = nftTools): Promise<number> {
  const text = planCleanup(await saveTables(exec, signal, tools));
  await applyRestore(text, exec, signal, tools);
  return text ? text.split('\n').length - 1 : 0;
}
