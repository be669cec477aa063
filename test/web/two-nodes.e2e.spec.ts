import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedTestDatabase, type TestDatabase } from '../support/database.js';
import { startNodeProcess, type NodeProcess } from '../support/node-process.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { launchBrowser, openPage } from './support/browser.js';
import { videoFlows } from './support/call-page.js';
import { buildWebDist } from './support/web-build.js';
import { endDeployment } from '../support/deployment-teardown.js';

/** Two browsers on two api processes (one PostgreSQL, one Redis): chat and a call cross nodes. */
let db: TestDatabase;
let nodes: NodeProcess[] = [];
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  await buildWebDist();
  db = await createMigratedTestDatabase();
  const env = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL };
  nodes = await Promise.all([startNodeProcess({ ...env, NODE_ID: 'web-a' }), startNodeProcess({ ...env, NODE_ID: 'web-b' })]);
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await endDeployment(nodes, db);
});

async function signUp(url: string, username: string) {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await openPage(context, url);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Display name').fill(username);
  await page.getByLabel('Password').fill('password123');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByTestId('signed-in-as').waitFor();
  return page;
}

describe('the web app across two api nodes', () => {
  it('chats and calls between a browser on node A and a browser on node B', async () => {
    const a = await signUp(nodes[0].url, 'nodea_user');
    const b = await signUp(nodes[1].url, 'nodeb_user');
    await a.getByTestId('add-contact-input').fill('nodeb_user');
    await a.getByTestId('add-contact-input').press('Enter');
    // The request reaches node B live; accepting it there makes the contact on both nodes.
    await b.getByRole('button', { name: 'Accept nodea_user', exact: true }).click();
    await a.getByTestId('contact-item').click();
    await b.getByTestId('contact-item').click();

    await a.getByTestId('composer-input').fill('from node A');
    await a.getByTestId('composer-input').press('Enter');
    await b.getByTestId('message-text').getByText('from node A').waitFor();
    await b.getByTestId('composer-input').fill('from node B');
    await b.getByTestId('composer-input').press('Enter');
    await expect.poll(() => a.getByTestId('message-text').allTextContents()).toEqual(['from node A', 'from node B']);

    await a.getByTestId('call-button').click();
    await a.getByTestId('start-call').click();
    await b.getByRole('alertdialog').getByRole('button', { name: 'Accept' }).click();
    await Promise.all([videoFlows(a), videoFlows(b)]);
    await a.getByTestId('end-call').click();
    await b.getByTestId('call-ended').waitFor();
    expect([...(a as Page & { errors: string[] }).errors, ...(b as Page & { errors: string[] }).errors]).toEqual([]);
  });
});
