/**
 * The geometry parse route on its own (no database): what the parse tests upload files to.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import errorsPlugin from '../../server/src/plugins/errors.ts';
import geometryRoutes from '../../server/src/modules/geometry/routes.ts';
import { multipart } from './fuzz.ts';

/** A Fastify app with the error plugin and the geometry routes, ready. */
export async function geometryApp(): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(errorsPlugin);
  await app.register(geometryRoutes);
  await app.ready();
  return app;
}

/** A multipart body with one file in the field `file`. */
export const fileUpload = (filename: string, content: Buffer | string) => multipart([{ field: 'file', filename, content }]);
