// No container engine runs here, so this reads the Dockerfile and .dockerignore as text and checks
// the image they describe: staged build, production dependencies only, non-root, the right entry point.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readText = (path: string) => readFileSync(join(root, path), 'utf8');

type Instruction = { keyword: string; args: string };
type Stage = { image: string; name?: string; instructions: Instruction[] };

/** Dockerfile instructions, with line continuations joined and comments dropped. */
function instructionsOf(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    const continued = /\\\s*$/.test(line);
    pending += continued ? line.replace(/\\\s*$/, ' ') : line;
    if (continued) continue;
    const match = /^\s*(\w+)\s+(.*)$/.exec(pending);
    if (match) instructions.push({ keyword: match[1].toUpperCase(), args: match[2].replace(/\s+/g, ' ').trim() });
    pending = '';
  }
  return instructions;
}

function stagesOf(instructions: Instruction[]): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.replace(/--platform=\S+\s*/, '').split(' ');
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const stages = stagesOf(instructionsOf(readText('Dockerfile')));
const runtime = stages.at(-1)!;
const argsOf = (stage: Stage, keyword: string) =>
  stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
const runs = (stage: Stage) => argsOf(stage, 'RUN');
const envOf = (stage: Stage) => argsOf(stage, 'ENV').join(' ');

describe('Dockerfile', () => {
  it('builds in stages, every one from node:20-bookworm-slim or an earlier stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const stageNames = stages.map((stage) => stage.name);
    for (const stage of stages) {
      expect(stage.image === 'node:20-bookworm-slim' || stageNames.includes(stage.image), stage.image).toBe(true);
    }
    expect(runtime.image).toBe('node:20-bookworm-slim');
  });

  it('installs every dependency to build the web front end, and builds it only if the project has that script', () => {
    const buildStages = stages.slice(0, -1);
    expect(buildStages.flatMap(runs).some((run) => /\bnpm ci\b(?!.*--omit=dev)/.test(run))).toBe(true);
    expect(buildStages.flatMap(runs).some((run) => /npm run build:web --if-present/.test(run))).toBe(true);
    expect(argsOf(runtime, 'COPY').some((copy) => /^--from=\S+ \S*web\/dist/.test(copy))).toBe(true);
  });

  it('ships production dependencies only', () => {
    const installs = runs(runtime).filter((run) => /\bnpm (ci|install|i)\b/.test(run));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toContain('--omit=dev');
    const copiedFromStages = argsOf(runtime, 'COPY').filter((copy) => copy.startsWith('--from='));
    for (const copy of copiedFromStages) expect(copy, 'no node_modules from a build stage').not.toContain('node_modules');
  });

  it('runs as the unprivileged node user', () => {
    const user = argsOf(runtime, 'USER').at(-1);
    expect(user).toBe('node');
  });

  it('reports health from /readyz without curl, which the slim image lacks', () => {
    const healthcheck = argsOf(runtime, 'HEALTHCHECK').at(-1) ?? '';
    expect(healthcheck).toContain('/readyz');
    expect(healthcheck).toMatch(/CMD \["node"/);
    expect(healthcheck).not.toContain('curl');
  });

  it('starts the entry point of `npm start`', () => {
    const packageJson = JSON.parse(readText('package.json')) as { scripts: Record<string, string> };
    const entryPoint = packageJson.scripts.start.split(' ').find((word) => word.endsWith('.ts'));
    expect(entryPoint).toBeDefined();
    const command = JSON.parse(argsOf(runtime, 'CMD').at(-1) ?? 'null') as string[] | null;
    expect(command, 'CMD in exec form, so signals reach node').toBeInstanceOf(Array);
    expect(command).toContain(entryPoint);
    expect(command!.includes('tsx') || command![0] === 'npm').toBe(true);
  });

  it('listens on the port docker-compose.yml and Traefik use', () => {
    const compose = parse(readText('docker-compose.yml')) as { services: { api: { environment: Record<string, string> } } };
    const port = compose.services.api.environment.PORT;
    expect(argsOf(runtime, 'EXPOSE')).toEqual([port]);
    expect(envOf(runtime)).toMatch(new RegExp(`\\bPORT=${port}\\b`));
    expect(envOf(runtime)).toMatch(/\bNODE_ENV=production\b/);
  });
});

describe('.dockerignore', () => {
  const patterns = readText('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  it('keeps installed modules, secrets and git history out of the build context', () => {
    expect(patterns).toEqual(expect.arrayContaining(['**/node_modules', '.env', '.git']));
  });

  it('keeps the sources, the lockfile and the tsconfig the node runs with', () => {
    const needed = ['package.json', 'package-lock.json', 'tsconfig.json', 'domain', 'application', 'projections', 'infrastructure', 'web'];
    expect(patterns.filter((pattern) => needed.includes(pattern.replace(/^\/|\/$/g, '')))).toEqual([]);
  });
});
