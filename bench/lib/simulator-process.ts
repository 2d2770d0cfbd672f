import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The Zendesk simulator in its own process (as a real Zendesk would be): on a 2-core machine the
 * generator must not share Frontline's event loop, or the benchmark would measure the simulator.
 */
export interface SimulatorProcess {
  url: string;
  token: string;
  close(): Promise<void>;
}

const cli = fileURLToPath(new URL('../../src/cli/frontline.js', import.meta.url));

export async function startSimulatorProcess(args: { tickets: number; seed: number; port: number; extra?: string[] }): Promise<SimulatorProcess> {
  const token = 'bench-token';
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, 'simulate', 'zendesk', '--port', String(args.port), '--tickets', String(args.tickets), '--seed', String(args.seed),
      '--days', '28', '--token', token, '--no-rate-limit', '--no-live', ...(args.extra ?? [])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Zendesk simulator on (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return {
    url,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
