import { execFileSync, execSync } from 'node:child_process';

/**
 * The path of Debian's `haproxy`, installed with apt-get when missing (as `.ci/run` and
 * scripts/ensure-services.mjs do for a fresh machine).
 */
export function ensureHaproxy(): string {
  const found = locate();
  if (found) return found;
  console.log("[haproxy] not installed; installing Debian's haproxy with apt-get");
  execSync('(apt-get install -y -qq haproxy || (apt-get update -qq && apt-get install -y -qq haproxy)) >/dev/null', {
    stdio: 'inherit',
    shell: '/bin/bash',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const installed = locate();
  if (!installed) throw new Error('haproxy is still missing after apt-get install haproxy');
  return installed;
}

function locate(): string | null {
  for (const candidate of ['haproxy', '/usr/sbin/haproxy']) {
    try {
      execFileSync(candidate, ['-v'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}
