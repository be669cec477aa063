import { readdir, readFile } from 'node:fs/promises';
import { processCpuSeconds } from './cpu-usage.js';

/**
 * CPU seconds spent by this process and by the PostgreSQL backends serving one database, so a rebuild's
 * cost can be stated independently of whatever else the machine was running. Backends are sampled while
 * they live (they exit when the rebuild closes its connections); Linux only (/proc), else null.
 */
export function cpuMeter(databaseName: string) {
  const backendSeconds = new Map<number, number>();
  const otherProcesses = new Set<string>();
  const nodeStart = process.cpuUsage();
  let timer: NodeJS.Timeout | null = null;
  const sample = async () => {
    const pids = await readdir('/proc').catch(() => [] as string[]);
    for (const pid of pids) {
      if (!/^\d+$/.test(pid) || otherProcesses.has(pid)) continue;
      try {
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
        if (!cmdline.startsWith('postgres:') || !cmdline.includes(` ${databaseName} `)) {
          otherProcesses.add(pid);
          continue;
        }
        const seconds = processCpuSeconds(Number(pid));
        if (seconds > 0) backendSeconds.set(Number(pid), seconds);
      } catch {
        // gone meanwhile
      }
    }
  };
  return {
    async start() {
      await sample();
      const baseline = new Map(backendSeconds);
      backendSeconds.clear();
      for (const [pid, seconds] of baseline) backendSeconds.set(-pid, -seconds);
      timer = setInterval(() => void sample(), 500);
    },
    async stop(): Promise<{ nodeSeconds: number; postgresSeconds: number } | null> {
      if (timer) clearInterval(timer);
      await sample();
      if (process.platform !== 'linux') return null;
      const used = process.cpuUsage(nodeStart);
      let seconds = 0;
      for (const value of backendSeconds.values()) seconds += value;
      return { nodeSeconds: (used.user + used.system) / 1e6, postgresSeconds: seconds };
    },
  };
}
