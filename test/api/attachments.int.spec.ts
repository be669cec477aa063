import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { ApiClient, eventually } from '../support/api-client.js';
import { attachmentRows, download, png, temporaryDataDir, upload } from '../support/attachments.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const MAX_BYTES = 1024 * 1024;
const QUOTA_BYTES = 3 * 1024 * 1024;

describe('attachments: upload and download', () => {
  let t: TestServer;
  let data: Awaited<ReturnType<typeof temporaryDataDir>>;
  let alice: ApiClient;
  let bob: ApiClient;
  let eve: ApiClient;

  beforeAll(async () => {
    data = await temporaryDataDir();
    t = await startTestServer({
      env: {
        DATA_DIR: data.dir,
        ATTACHMENT_MAX_BYTES: String(MAX_BYTES),
        ATTACHMENT_QUOTA_BYTES: String(QUOTA_BYTES),
        RATE_LIMIT_UPLOADS: '6/1m',
      },
    });
    [alice, bob, eve] = await Promise.all(['alice', 'bob', 'eve'].map((n) => new ApiClient(t.url).signUp(n)));
    await alice.addContact(bob);
  });
  afterAll(async () => {
    await t?.close();
    await data?.remove();
  });

  /** Nothing of a refused upload is left: no file (temporary or not), no row. */
  async function expectNothingLeftBy(user: ApiClient) {
    expect((await attachmentRows(t.db.url)).filter((row) => row.uploader_id === user.user!.id)).toEqual([]);
    const ids = new Set((await attachmentRows(t.db.url)).map((row) => row.id));
    expect((await data.files()).filter((file) => !ids.has(file.split('/').pop()!.split('.')[0]))).toEqual([]);
  }

  it('stores an image under the type its bytes reveal, with its size and a thumbnail', async () => {
    const image = await png(800, 600);
    const res = await upload(alice, 'holiday photo.png', image, 'application/octet-stream');
    expect(res.status).toBe(201);
    expect(res.body.attachment).toEqual({
      id: expect.any(String),
      name: 'holiday photo.png',
      size: image.length,
      contentType: 'image/png',
      width: 800,
      height: 600,
    });

    const original = await download(alice, `/api/attachments/${res.body.attachment.id}`);
    expect(original.status).toBe(200);
    expect(original.bytes.equals(image)).toBe(true);
    expect(original.headers.get('content-type')).toBe('image/png');
    expect(original.headers.get('content-disposition')).toBe(`inline; filename="holiday photo.png"; filename*=UTF-8''holiday%20photo.png`);
    expect(original.headers.get('x-content-type-options')).toBe('nosniff');
    expect(original.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(original.headers.get('cache-control')).toBe('private, max-age=3600');

    const thumbnail = await download(alice, `/api/attachments/${res.body.attachment.id}/thumbnail`);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(thumbnail.bytes).metadata()).toMatchObject({ format: 'webp', width: 320, height: 240 });
  });

  it('shows an unsent attachment to its uploader only: 404 for anyone else, contact or not, and for thumbnails', async () => {
    const { body } = await upload(alice, 'secret.png', await png(40, 40), 'image/png');
    const id = body.attachment.id;
    for (const other of [bob, eve]) {
      for (const path of [`/api/attachments/${id}`, `/api/attachments/${id}/thumbnail`]) {
        const res = await download(other, path);
        expect(res.status).toBe(404);
        expect(JSON.parse(res.bytes.toString()).code).toBe('ATTACHMENT_NOT_FOUND');
      }
    }
    // The same answer as for an id that never existed.
    expect(JSON.parse((await download(eve, `/api/attachments/${crypto.randomUUID()}`)).bytes.toString()).code).toBe('ATTACHMENT_NOT_FOUND');
    expect((await download(new ApiClient(t.url), `/api/attachments/${id}`)).status).toBe(401);
    expect((await download(alice, '/api/attachments/not-a-uuid')).status).toBe(400);
  });

  it('serves SVG, HTML and other files as downloads, never inline, under their exact names', async () => {
    const uploader = await new ApiClient(t.url).signUp('files');
    const svg = await upload(
      uploader,
      'logo.svg',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'image/svg+xml',
    );
    const html = await upload(uploader, 'page.html', Buffer.from('<html><script>alert(1)</script></html>'), 'text/html');
    const text = await upload(uploader, 'Résumé "final".txt', Buffer.from('plain words'), 'text/plain; charset=utf-8');
    expect([svg.status, html.status, text.status]).toEqual([201, 201, 201]);
    for (const [res, name] of [
      [svg, 'logo.svg'],
      [html, 'page.html'],
    ] as const) {
      const got = await download(uploader, `/api/attachments/${res.body.attachment.id}`);
      expect(got.headers.get('content-type')).toBe('application/octet-stream');
      expect(got.headers.get('content-disposition')).toBe(`attachment; filename="${name}"; filename*=UTF-8''${name}`);
      expect(got.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
      expect((await download(uploader, `/api/attachments/${res.body.attachment.id}/thumbnail`)).status).toBe(404);
    }
    const got = await download(uploader, `/api/attachments/${text.body.attachment.id}`);
    expect(got.headers.get('content-type')).toBe('text/plain');
    expect(got.headers.get('content-disposition')).toBe(
      `attachment; filename="R_sum_ _final_.txt"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.txt`,
    );
    expect(got.bytes.toString()).toBe('plain words');
  });

  it('refuses a file over ATTACHMENT_MAX_BYTES, announced or streamed, and keeps nothing', async () => {
    const uploader = await new ApiClient(t.url).signUp('big');
    const announced = await upload(uploader, 'big.bin', randomBytes(MAX_BYTES + 1));
    expect(announced.status).toBe(413);
    expect(announced.body.code).toBe('ATTACHMENT_TOO_LARGE');
    const streamed = await upload(uploader, 'big.bin', chunked([randomBytes(MAX_BYTES / 2), randomBytes(MAX_BYTES / 2), randomBytes(10)]));
    expect(streamed.status).toBe(413);
    expect(streamed.body.code).toBe('ATTACHMENT_TOO_LARGE');
    await expectNothingLeftBy(uploader);
  });

  it('counts every upload against the per-user quota', async () => {
    const uploader = await new ApiClient(t.url).signUp('quota');
    for (let i = 0; i < 3; i++) expect((await upload(uploader, `part${i}.bin`, randomBytes(MAX_BYTES - 1000))).status).toBe(201);
    const over = await upload(uploader, 'one-too-many.bin', chunked([randomBytes(5000)]));
    expect(over.status).toBe(413);
    expect(over.body.code).toBe('ATTACHMENT_QUOTA_EXCEEDED');
    expect((await attachmentRows(t.db.url)).filter((row) => row.uploader_id === uploader.user!.id)).toHaveLength(3);
    expect((await upload(uploader, 'fits.bin', randomBytes(2000))).status).toBe(201);
  });

  it('refuses a file whose bytes are not the image its type claims, or an image that cannot be decoded, and keeps nothing', async () => {
    const uploader = await new ApiClient(t.url).signUp('liar');
    const notAnImage = await upload(uploader, 'cat.png', Buffer.from('%PDF-1.7 this is a document'), 'image/png');
    expect(notAnImage.status).toBe(415);
    expect(notAnImage.body.code).toBe('ATTACHMENT_TYPE_MISMATCH');
    const text = await upload(uploader, 'cat.jpg', Buffer.from('just text'), 'image/jpeg');
    expect(text.body.code).toBe('ATTACHMENT_TYPE_MISMATCH');
    const noise = await sharp(randomBytes(200 * 200 * 3), { raw: { width: 200, height: 200, channels: 3 } })
      .png()
      .toBuffer();
    const broken = noise.subarray(0, noise.length / 2);
    const corrupt = await upload(uploader, 'broken.png', broken, 'image/png');
    expect(corrupt.status).toBe(415);
    expect(corrupt.body.code).toBe('INVALID_IMAGE');
    await expectNothingLeftBy(uploader);
  });

  it('keeps nothing of an upload whose client went away part-way', async () => {
    const uploader = await new ApiClient(t.url).signUp('quitter');
    const url = new URL(`${t.url}/api/attachments?name=half.bin`);
    const request = http.request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${uploader.token}`, 'content-type': 'application/zip', 'content-length': String(800_000) },
    });
    request.on('error', () => undefined);
    request.write(randomBytes(300_000));
    // The server is writing it: a temporary file exists. Then the client vanishes.
    await eventually(async () => (await data.files()).some((file) => file.endsWith('.partial')));
    request.destroy();
    await eventually(async () => !(await data.files()).some((file) => file.endsWith('.partial')));
    await expectNothingLeftBy(uploader);
  });

  it('streams the body into storage as it arrives, past the JSON body limit', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(randomBytes(400_000));
        // The rest is sent only once the first part is on disk: a server that buffered whole bodies never gets it.
        await released;
        controller.enqueue(randomBytes(400_000));
        controller.close();
      },
    });
    const uploaded = upload(await new ApiClient(t.url).signUp('streamer'), 'stream.bin', body);
    await eventually(async () => (await data.files()).some((file) => file.endsWith('.partial')));
    release();
    const res = await uploaded;
    expect(res.status).toBe(201);
    expect(res.body.attachment.size).toBe(800_000);
  });

  it('validates what an upload must carry', async () => {
    const alice = await new ApiClient(t.url).signUp('careful');
    const noName = await fetch(`${t.url}/api/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: 'x',
    });
    expect(noName.status).toBe(400);
    const empty = await upload(alice, 'empty.txt', Buffer.alloc(0), 'text/plain');
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('EMPTY_ATTACHMENT');
    const badName = await upload(alice, 'line\nbreak.txt', Buffer.from('x'), 'text/plain');
    expect(badName.status).toBe(400);
    expect(badName.body.code).toBe('INVALID_TEXT');
    const pathName = await upload(alice, '../../etc/passwd', Buffer.from('x'), 'text/plain');
    expect(pathName.body.attachment.name).toBe('passwd');
    const json = await upload(alice, 'data.json', Buffer.from('{"a":1}'), 'application/json');
    expect(json.status).toBe(201);
    expect(json.body.attachment.contentType).toBe('application/json');
    expect((await upload(new ApiClient(t.url), 'x.txt', Buffer.from('x'), 'text/plain')).status).toBe(401);
  });

  it('drops uploads never sent once they are abandoned (older than the cut-off), and keeps newer ones', async () => {
    const uploader = await new ApiClient(t.url).signUp('forgetful');
    const old = (await upload(uploader, 'old.png', await png(30, 30), 'image/png')).body.attachment;
    const cutOff = new Date();
    const recent = (await upload(uploader, 'recent.txt', Buffer.from('recent'), 'text/plain')).body.attachment;
    // The first upload is plainly older than the cut-off (a minute), whatever the clocks' resolution.
    await t.server.ctx.pool.query("UPDATE attachments SET uploaded_at = uploaded_at - interval '1 minute' WHERE id = $1", [old.id]);
    expect(await t.server.ctx.attachments.removeAbandoned(cutOff)).toBeGreaterThanOrEqual(1);
    expect((await download(uploader, `/api/attachments/${old.id}`)).status).toBe(404);
    expect((await data.files()).filter((file) => file.includes(old.id))).toEqual([]);
    expect((await download(uploader, `/api/attachments/${recent.id}`)).status).toBe(200);
  });

  it('limits uploads per user', async () => {
    const uploader = await new ApiClient(t.url).signUp('eager');
    for (let i = 0; i < 6; i++) expect((await upload(uploader, 'a.txt', Buffer.from('a'), 'text/plain')).status).toBe(201);
    const limited = await upload(uploader, 'a.txt', Buffer.from('a'), 'text/plain');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
  });
});

describe('attachments: sending them in messages', () => {
  let t: TestServer;
  let data: Awaited<ReturnType<typeof temporaryDataDir>>;
  let alice: ApiClient;
  let bob: ApiClient;
  let eve: ApiClient;
  let contactId: string;
  let eveContact: string;

  beforeAll(async () => {
    data = await temporaryDataDir();
    t = await startTestServer({ env: { DATA_DIR: data.dir } });
    [alice, bob, eve] = await Promise.all(['alice', 'bob', 'eve'].map((n) => new ApiClient(t.url).signUp(n)));
    contactId = await alice.addContact(bob);
    eveContact = await eve.addContact(bob);
  });
  afterAll(async () => {
    await t?.close();
    await data?.remove();
  });

  const uploaded = async (from: ApiClient, name: string, bytes: Buffer, type: string) => {
    const res = await upload(from, name, bytes, type);
    expect(res.status).toBe(201);
    return res.body.attachment as { id: string; name: string; size: number; contentType: string; width?: number; height?: number };
  };

  it('sends files with no text; the peer sees them in the history and the feed and may fetch them; a stranger may not', async () => {
    const photo = await uploaded(alice, 'beach.png', await png(640, 480), 'image/png');
    const notes = await uploaded(alice, 'notes.txt', Buffer.from('remember the towels'), 'text/plain');
    const sent = await alice.post(`/api/contacts/${contactId}/messages`, { text: '', attachmentIds: [photo.id, notes.id] });
    expect(sent.status).toBe(201);
    expect(sent.body.message.attachments).toEqual([photo, notes]);
    expect(photo).toMatchObject({ width: 640, height: 480 });

    const history = await bob.get(`/api/contacts/${contactId}/messages?minPosition=${sent.body.position}`);
    expect(history.body.messages.at(-1)).toMatchObject({ text: '', attachments: [photo, notes] });
    const feed = await bob.get(`/api/events?after=0&minPosition=${sent.body.position}`);
    expect(
      feed.body.events.find((e: any) => e.type === 'MessageSent' && e.data.messageId === sent.body.message.id).data.attachments,
    ).toEqual([photo, notes]);

    expect((await download(bob, `/api/attachments/${photo.id}`)).status).toBe(200);
    expect((await download(bob, `/api/attachments/${photo.id}/thumbnail`)).status).toBe(200);
    expect((await download(bob, `/api/attachments/${notes.id}`)).bytes.toString()).toBe('remember the towels');
    for (const path of [`/api/attachments/${photo.id}`, `/api/attachments/${photo.id}/thumbnail`, `/api/attachments/${notes.id}`]) {
      expect((await download(eve, path)).status).toBe(404);
    }
  });

  it('sends only your own files that are not sent yet; a refused send leaves them sendable', async () => {
    const mine = await uploaded(alice, 'mine.txt', Buffer.from('mine'), 'text/plain');
    const bobs = await uploaded(bob, 'bobs.txt', Buffer.from('bobs'), 'text/plain');
    const stolen = await alice.post(`/api/contacts/${contactId}/messages`, { text: 'look', attachmentIds: [mine.id, bobs.id] });
    expect(stolen.status).toBe(404);
    expect(stolen.body.code).toBe('ATTACHMENT_NOT_FOUND');
    // Into a conversation she is not in: refused, and the file is not spent.
    const elsewhere = await alice.post(`/api/contacts/${eveContact}/messages`, { text: 'hi', attachmentIds: [mine.id] });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.code).toBe('CONTACT_NOT_FOUND');
    expect((await download(bob, `/api/attachments/${mine.id}`)).status).toBe(404);

    const id = crypto.randomUUID();
    const sent = await alice.post(`/api/contacts/${contactId}/messages`, { id, text: 'now', attachmentIds: [mine.id] });
    expect(sent.status).toBe(201);
    const retried = await alice.post(`/api/contacts/${contactId}/messages`, { id, text: 'now', attachmentIds: [mine.id] });
    expect(retried.status).toBe(200);
    expect(retried.body.message.attachments).toEqual([mine]);
    const again = await alice.post(`/api/contacts/${contactId}/messages`, { text: 'again', attachmentIds: [mine.id] });
    expect(again.body.code).toBe('ATTACHMENT_NOT_FOUND');
  });

  it('needs text or files, and at most ten files', async () => {
    const empty = await alice.post(`/api/contacts/${contactId}/messages`, { text: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.code).toBe('INVALID_MESSAGE_TEXT');
    const eleven = await alice.post(`/api/contacts/${contactId}/messages`, {
      text: 'x',
      attachmentIds: Array.from({ length: 11 }, () => crypto.randomUUID()),
    });
    expect(eleven.status).toBe(400);
    expect(eleven.body.code).toBe('VALIDATION_ERROR');
  });

  it('deleting the message deletes its files: from storage, and for everyone', async () => {
    const photo = await uploaded(alice, 'gone.png', await png(100, 100), 'image/png');
    const sent = await alice.post(`/api/contacts/${contactId}/messages`, { text: 'soon gone', attachmentIds: [photo.id] });
    expect((await data.files()).filter((file) => file.includes(photo.id))).toHaveLength(4); // bytes and thumbnail, each with its type
    const deleted = await alice.request('DELETE', `/api/contacts/${contactId}/messages/${sent.body.message.id}`);
    expect(deleted.status).toBe(200);
    await eventually(async () => (await data.files()).every((file) => !file.includes(photo.id)));
    expect((await attachmentRows(t.db.url)).map((row) => row.id)).not.toContain(photo.id);
    for (const who of [alice, bob]) expect((await download(who, `/api/attachments/${photo.id}`)).status).toBe(404);
    const history = await bob.get(`/api/contacts/${contactId}/messages?minPosition=${deleted.body.position}`);
    expect(history.body.messages.find((m: any) => m.id === sent.body.message.id)).toMatchObject({
      deleted: true,
      text: null,
      attachments: [],
    });
  });
});

function chunked(chunks: Buffer[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}
