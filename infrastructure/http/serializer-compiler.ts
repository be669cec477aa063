import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';
import { CompiledByText } from './compiled-by-text.js';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;

const buildDefault = SerializerSelector();
// fast-json-stringify writes a function for each response schema: ~0.1 s for an app's routes.
const serializers = new CompiledByText<unknown>();

/**
 * Fastify's own response serializers (fast-json-stringify, given the app's shared schemas), each compiled once per
 * process for the text of its schema and of the shared schemas: the app's `schemaController.compilersFactory.buildSerializer`.
 */
export const buildSerializer: NonNullable<CompilersFactory['buildSerializer']> = (externalSchemas, options) => {
  const compile = buildDefault(externalSchemas, options);
  const context = JSON.stringify([externalSchemas, options ?? null]);
  return (route) => serializers.get(route.schema, context, () => compile(route)) as ReturnType<typeof compile>;
};

/** How many response serializers this process compiled. */
export const responseSerializersCompiled = () => serializers.size;
