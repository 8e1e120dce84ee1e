/** The Kubernetes version k8ts speaks, and its own build, as /version reports them. */
export const kubernetesVersion = { major: '1', minor: '33', patch: '1' };
export const k8tsVersion = '0.1.0';

export function serverVersion(): Record<string, string> {
  const { major, minor, patch } = kubernetesVersion;
  return {
    major, minor,
    // Semver build metadata, like k3s' v1.33.1+k3s1: kubectl parses it as v1.33.1.
    gitVersion: `v${major}.${minor}.${patch}+k8ts${k8tsVersion.replace(/\./g, '')}`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-11-21T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
