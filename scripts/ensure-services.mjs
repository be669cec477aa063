#!/usr/bin/env node
// Makes sure the PostgreSQL and Redis the tests talk to are up, starting the machine's own when they are not.
import { execSync } from 'node:child_process';
import net from 'node:net';
import fs from 'node:fs';

const isOpen = (port) =>
  new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

async function waitFor(port, what) {
  for (let i = 0; i < 60; i++) {
    if (await isOpen(port)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} did not come up on port ${port}`);
}

function run(cmd) {
  console.log(`[ensure-services] ${cmd}`);
  execSync(cmd, { stdio: 'inherit', shell: '/bin/bash' });
}

if (!process.env.TEST_DATABASE_URL && !(await isOpen(5432))) {
  if (!fs.existsSync('/etc/postgresql')) run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql');
  run('pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -1) main start');
  await waitFor(5432, 'PostgreSQL');
}
if (!process.env.TEST_REDIS_URL && !(await isOpen(6379))) {
  try {
    execSync('command -v redis-server', { stdio: 'ignore', shell: '/bin/bash' });
  } catch {
    run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server');
  }
  run('redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no');
  await waitFor(6379, 'Redis');
}
console.log('[ensure-services] PostgreSQL and Redis are up');

// ---- multi-node tests: Debian's HAProxy in front of the nodes (infrastructure/cli/haproxy/) ----
if (!fs.existsSync('/usr/sbin/haproxy')) {
  run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy');
}

// ---- web: headless Chromium for the browser tests (test/web/*.browser.spec.ts) ----
// Debian's own chromium and its headless shell (what the specs launch: test/web/support/browser.ts);
// playwright-core never downloads a browser.
if (!process.env.CHROMIUM_PATH && !['/usr/bin/chromium', '/usr/bin/chromium-headless-shell'].every((path) => fs.existsSync(path))) {
  run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-headless-shell');
}

// ---- the relay-only call test (test/web/turn-relay.e2e.spec.ts): Debian's coturn ----
if (!process.env.TURNSERVER_PATH && !fs.existsSync('/usr/bin/turnserver')) {
  run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq coturn');
}
