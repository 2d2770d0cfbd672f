import { fileURLToPath } from 'node:url';

/** The demo organisation's config (also used by the tests and the benchmarks). */
export const demoConfigPath = fileURLToPath(new URL('./frontline.demo.yaml', import.meta.url));
