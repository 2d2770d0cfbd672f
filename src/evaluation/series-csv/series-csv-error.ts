/**
 * A series file that cannot be read as it is: where (file and 1-based line, 0 when it is about the
 * whole file), what is wrong, and how to fix it, all in the message and as fields.
 */
export class SeriesCsvError extends Error {
  readonly file: string;
  readonly line: number;
  readonly problem: string;
  readonly fix: string;

  constructor(file: string, line: number, problem: string, fix: string) {
    super(`${file}${line > 0 ? `:${line}` : ''}: ${problem}. Fix: ${fix}`);
    this.name = 'SeriesCsvError';
    this.file = file;
    this.line = line;
    this.problem = problem;
    this.fix = fix;
  }
}
