import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import sharp from 'sharp';
import type { ApiClient, ApiResponse } from './api-client.js';

/** A PNG of the given size (a gradient-free solid colour: small, and real). */
export function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .png()
    .toBuffer();
}

/** `POST /api/attachments?name=` with raw bytes (a Buffer, or a stream of chunks sent as they come). */
export async function upload(
  client: ApiClient,
  name: string,
  body: Buffer | ReadableStream<Uint8Array> | null,
  contentType: string | null = 'application/octet-stream',
): Promise<ApiResponse> {
  const response = await fetch(`${client.baseUrl}/api/attachments?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: {
      ...(client.token ? { authorization: `Bearer ${client.token}` } : {}),
      ...(contentType ? { 'content-type': contentType } : {}),
    },
    body,
    ...(body && !(body instanceof Buffer) ? { duplex: 'half' } : {}),
  } as RequestInit);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
}

/** The raw response of a download (bytes, not JSON). */
export async function download(client: ApiClient, pathname: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const response = await fetch(client.baseUrl + pathname, { headers: client.token ? { authorization: `Bearer ${client.token}` } : {} });
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

/** A data folder of the test's own: the filesystem storage writes under `<it>/attachments`. */
export async function temporaryDataDir(): Promise<{ dir: string; files(): Promise<string[]>; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'derbel-data-'));
  return {
    dir,
    async files() {
      const entries = await readdir(path.join(dir, 'attachments'), { recursive: true, withFileTypes: true }).catch(() => []);
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => path.join(entry.parentPath, entry.name))
        .sort();
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function attachmentRows(databaseUrl: string): Promise<Array<{ id: string; uploader_id: string; message_id: string | null }>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query('SELECT id, uploader_id, message_id FROM attachments ORDER BY uploaded_at')).rows;
  } finally {
    await client.end();
  }
}
