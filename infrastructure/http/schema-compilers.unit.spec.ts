import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { buildSerializer, responseSerializersCompiled } from './serializer-compiler.js';
import { httpValidatorsCompiled, registerValidatorCompiler } from './validator-compiler.js';

const Shared = { $id: 'Shared', type: 'object', properties: { code: { type: 'string' } } };

/** An app whose route builds its schemas as it registers, as the route files do: new objects every time. */
async function app() {
  const app = Fastify({ schemaController: { compilersFactory: { buildSerializer } } });
  registerValidatorCompiler(app);
  app.addSchema(Shared);
  app.post(
    '/things/:id',
    {
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid', 'x-canonical-uuid': true } } },
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, default: 10 } } },
        body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1 } } },
        response: {
          200: { type: 'object', properties: { id: { type: 'string' }, limit: { type: 'integer' }, text: { type: 'string' } } },
          400: { $ref: 'Shared#' },
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { limit } = request.query as { limit: number };
      const { text } = request.body as { text: string };
      return { id, limit, text, notInTheSchema: 'left out' };
    },
  );
  await app.ready();
  return app;
}

describe('the HTTP schema compilers', () => {
  it('compile a schema once per process, however many apps build it again', async () => {
    const before = { validators: httpValidatorsCompiled(), serializers: responseSerializersCompiled() };
    const counts = () => ({
      validators: httpValidatorsCompiled() - before.validators,
      serializers: responseSerializersCompiled() - before.serializers,
    });
    const first = await app();
    expect(counts()).toEqual({ validators: 3, serializers: 2 });
    const second = await app();
    expect(counts()).toEqual({ validators: 3, serializers: 2 });

    // Each app still validates, coerces, canonicalises and serializes as its own: the query is text, the body JSON.
    for (const each of [first, second]) {
      const ok = await each.inject({
        method: 'POST',
        url: '/things/0F8FAD5B-D9CB-469F-A165-70867728950E?limit=3',
        payload: { text: 'hi' },
      });
      expect(ok.json()).toEqual({ id: '0f8fad5b-d9cb-469f-a165-70867728950e', limit: 3, text: 'hi' });
      const bad = await each.inject({ method: 'POST', url: '/things/0f8fad5b-d9cb-469f-a165-70867728950e', payload: { text: 42 } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual({ code: 'FST_ERR_VALIDATION' });
      await each.close();
    }
  });
});
