import { readdir, readFile } from 'node:fs/promises';

const TICKS_PER_SECOND = 100;

/**
 * CPU seconds spent by this process and by the PostgreSQL backends serving one database, so a rebuild's
 * cost can be stated independently of whatever else the machine was running. Backends are sampled while
 * they live (they exit when the rebuild closes its connections); Linux only (/proc), else null.
 */
export function cpuMeter(databaseName: string) {
  const backendTicks = new Map<number, number>();
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
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        backendTicks.set(Number(pid), Number(fields[11]) + Number(fields[12]));
      } catch {
        // gone meanwhile
      }
    }
  };
  return {
    async start() {
      await sample();
      const baseline = new Map(backendTicks);
      backendTicks.clear();
      for (const [pid, ticks] of baseline) backendTicks.set(-pid, -ticks);
      timer = setInterval(() => void sample(), 500);
    },
    async stop(): Promise<{ nodeSeconds: number; postgresSeconds: number } | null> {
      if (timer) clearInterval(timer);
      await sample();
      if (process.platform !== 'linux') return null;
      const used = process.cpuUsage(nodeStart);
      let ticks = 0;
      for (const value of backendTicks.values()) ticks += value;
      return { nodeSeconds: (used.user + used.system) / 1e6, postgresSeconds: ticks / TICKS_PER_SECOND };
    },
  };
}
