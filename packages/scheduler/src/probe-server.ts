import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from './worker';

export interface ProbeServerOptions {
  /** Port to listen on (0: any free port; read it from `address().port`). */
  port: number;
  /** Interface to bind (default `0.0.0.0`, as a pod's probes need). */
  host?: string;
}

/**
 * Serves a worker's probes and metrics over HTTP: `/healthz` (liveness: 200 unless stopped or a
 * claim hung), `/readyz` (readiness: 200 while claiming and the store answers; 503 during
 * shutdown, so a Service stops routing before the pod goes), `/metrics` (Prometheus text).
 * Every other path is 404; only GET and HEAD are served.
 */
export async function startProbeServer(worker: Worker, options: ProbeServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      worker.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': worker.metrics.registry.contentType }).end(text),
        () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n'),
      );
      return;
    }
    if (path === '/healthz' || path === '/readyz') {
      const h = worker.health();
      const ok = path === '/healthz' ? h.live : h.ready;
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(h)}\n`);
      return;
    }
    res
      .writeHead(404, { 'content-type': 'text/plain' })
      .end('not found: try /healthz, /readyz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** The port a probe server listens on. */
export function probePort(server: Server): number {
  return (server.address() as AddressInfo).port;
}
