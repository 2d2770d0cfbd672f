import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configFileSchema } from './config-schema.ts';

/** Where the generated schema is committed (editors: `# yaml-language-server: $schema=…`). */
export const configJsonSchemaPath = fileURLToPath(new URL('./frontline.schema.json', import.meta.url));

/**
 * JSON Schema of one config file, for editors (input side: what a user writes). Connector settings
 * appear as a free-form object: each connector validates its own at load time.
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configFileSchema, { io: 'input', target: 'draft-2020-12' });
}

/** The exact text of frontline.schema.json (a test keeps the committed file equal to it). */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
