// Regenerates src/config/frontline.schema.json: `node src/config/generate-json-schema.ts`.
import { writeFile } from 'node:fs/promises';
import { configJsonSchemaPath, configJsonSchemaText } from './json-schema.ts';

await writeFile(configJsonSchemaPath, configJsonSchemaText(), 'utf8');
process.stdout.write(`wrote ${configJsonSchemaPath}\n`);
