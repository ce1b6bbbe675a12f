import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopback, madeUnder, parseTrace } from '../support/connectTrace';

test('connections from an strace log are told by process, threads counted as their process', () => {
  const log = [
    '100 execve("/usr/bin/node", ["node", "/code-server/out/node/entry.js"], 0x7ffd /* 30 vars */) = 0',
    '100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 200',
    '200 execve("/usr/bin/node", ["/usr/bin/node", "/ext/hearth/dist/server.js", "--node-ipc"], 0x5 /* 31 vars */) = 0',
    '200 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, exit_signal=0}, 88 <unfinished ...>',
    '100 connect(21, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("140.82.112.3")}, 16) = -1 ENETUNREACH',
    '200 <... clone3 resumed>) = 201',
    '201 connect(5, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.2")}, 16) = 0',
    '200 connect(9, {sa_family=AF_INET6, sin6_port=htons(8080), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
    '200 connect(9, {sa_family=AF_UNIX, sun_path="/tmp/x.sock"}, 110) = 0',
    '200 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 300',
    '300 execve("/usr/bin/node", ["/usr/bin/node", "testBindingBinary.js"], 0x5 /* 31 vars */) = 0',
    '300 connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("93.184.216.34")}, 16) = -1 ENETUNREACH',
  ].join('\n');
  const { connections, commands } = parseTrace(log);
  assert.equal(commands.length, 3);
  assert.deepEqual(
    connections.filter((c) => madeUnder(c, /server\.js/)).map((c) => c.address),
    ['10.0.0.2', '::1', '93.184.216.34'],
    'a helper the server started counts as the server’s',
  );
  assert.deepEqual(
    connections.map((c) => [c.pid, c.command.includes('server.js') ? 'hearth' : 'code-server', c.address, c.port, isLoopback(c)]),
    [
      [100, 'code-server', '140.82.112.3', 443, false],
      [200, 'hearth', '10.0.0.2', 53, false],
      [200, 'hearth', '::1', 8080, true],
      [300, 'code-server', '93.184.216.34', 80, false],
    ],
  );
});
