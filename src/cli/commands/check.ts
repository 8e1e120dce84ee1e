import { checkPrerequisites } from '../prerequisites.js';

/** `k8ts check`: every prerequisite with ok/missing, like `k3s check-config`. Exit 1 when one is missing. */
export const checkCommand = {
  name: 'check',
  summary: 'Check that this machine has what a k8ts server and node need',
  async run(argv: string[]): Promise<number> {
    const serverOnly = argv.includes('--disable-agent');
    const results = checkPrerequisites(!serverOnly);
    let failed = false;
    for (const r of results) {
      const mark = r.ok ? 'ok     ' : r.optional ? 'absent ' : 'MISSING';
      console.log(`${mark}  ${r.name}${r.ok ? '' : `: ${r.detail}\n         fix: ${r.fix}`}`);
      if (!r.ok && !r.optional) failed = true;
    }
    console.log(failed ? '\nSome prerequisites are missing.' : '\nEverything k8ts needs is here.');
    return failed ? 1 : 0;
  },
};
