// An HTTP forward proxy on 127.0.0.1 for tests of what goes through `http.proxy` / HTTPS_PROXY. It tunnels CONNECT
// and forwards absolute-form requests, sending every host to 127.0.0.1 (the port kept): a host name that does not
// resolve anywhere else (hub.hearth.test) reaches the local hub only through the proxy, which proves the route.
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export class LocalProxy {
  /** What passed through: `CONNECT host:port` or `GET http://host:port/path`. */
  readonly requests: string[] = [];
  url = '';
  private server!: Server;
  private readonly sockets = new Set<Socket>();

  static async start(): Promise<LocalProxy> {
    const proxy = new LocalProxy();
    proxy.server = createServer((request, response) => {
      proxy.requests.push(`${request.method} ${request.url}`);
      const target = new URL(request.url ?? '');
      const upstream = httpRequest({ host: '127.0.0.1', port: target.port, path: `${target.pathname}${target.search}`, method: request.method, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      upstream.on('error', () => response.destroy());
      request.pipe(upstream);
    });
    proxy.server.on('connect', (request, client: Socket, head: Buffer) => {
      proxy.requests.push(`CONNECT ${request.url}`);
      const port = Number((request.url ?? '').split(':').pop());
      const upstream = connect(port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('close', () => proxy.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
    });
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
