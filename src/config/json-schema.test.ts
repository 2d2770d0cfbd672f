import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, configJsonSchemaPath, configJsonSchemaText } from './json-schema.ts';

describe('configJsonSchema', () => {
  it('equals the committed frontline.schema.json (regenerate: node src/config/generate-json-schema.ts)', async () => {
    expect(await readFile(configJsonSchemaPath, 'utf8')).toBe(configJsonSchemaText());
  });

  it('describes strict sections, secret references and the recursive condition', () => {
    const schema = configJsonSchema();
    expect(schema).toMatchObject({
      title: 'Frontline configuration',
      additionalProperties: false,
      properties: { connectors: { items: { properties: { secrets: { additionalProperties: { required: ['env'], additionalProperties: false } } } } } },
      $defs: { Condition: { properties: { all: { items: { $ref: '#/$defs/Condition' } } } } },
    });
  });
});
