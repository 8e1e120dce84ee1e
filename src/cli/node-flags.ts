/**
 * The V8 flags k8ts runs with (main.js's `#!/usr/bin/env -S node …` line and scripts/up.sh pass
 * them; V8 reads them only at process start, so they cannot be set from inside).
 *
 * --max-semi-space-size=32: a control plane allocates fast and keeps little of it (request bodies,
 * copies, events that watchers have sent), and V8's default young generation (16 MiB semi-spaces)
 * made scavenges ~15% of the server's CPU creating pods. 32 MiB halves the scavenges: ~10% less
 * CPU per pod in the scheduler benchmark. The young generation shrinks back when allocation slows
 * (an idle server does not keep it).
 */
export const nodeFlags: readonly string[] = ['--max-semi-space-size=32'];
