// Reads an strace log (strace -f -e trace=connect,execve,clone…) and tells which process made each network
// connect(): threads are counted as their process, a process is known by the command it executed last (or its
// parent's until it executes one).

export interface Connection {
  pid: number;
  /** The command line of the process the connecting thread belongs to. */
  command: string;
  /** The command lines of its parent, grandparent, … (so a helper a server started counts as the server's). */
  ancestors: string[];
  family: 'inet' | 'inet6';
  address: string;
  port: number;
}

const loopback = (address: string) => /^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address);

export function isLoopback(connection: Connection): boolean {
  return loopback(connection.address);
}

export interface Trace {
  connections: Connection[];
  /** Every command line executed under the trace. */
  commands: string[];
}

export function parseTrace(log: string): Trace {
  const processOf = new Map<number, number>(); // thread id → process id
  const commandOf = new Map<number, string>(); // process id → command line
  const parentOf = new Map<number, number>(); // process id → parent process id
  const commands: string[] = [];
  const ancestors = (pid: number) => {
    const found: string[] = [];
    for (let at = parentOf.get(pid); at !== undefined && found.length < 32; at = parentOf.get(at)) found.push(commandOf.get(at) ?? '');
    return found;
  };
  const processFor = (tid: number) => processOf.get(tid) ?? tid;
  const connections: Connection[] = [];
  const unfinished = new Map<number, string>(); // a call interrupted by another thread's: `… <unfinished ...>`
  for (const raw of log.split('\n')) {
    let line = raw;
    const cut = /^(\d+)\s+(.*) <unfinished \.\.\.>$/.exec(raw);
    if (cut) {
      unfinished.set(Number(cut[1]), `${cut[1]} ${cut[2]}`);
      continue;
    }
    const resumed = /^(\d+)\s+<\.\.\. \w+ resumed>(.*)$/.exec(raw);
    if (resumed) {
      line = (unfinished.get(Number(resumed[1])) ?? '') + resumed[2];
      unfinished.delete(Number(resumed[1]));
    }
    const match = /^(\d+)\s+(\w+)\((.*)$/.exec(line);
    if (!match) continue;
    const tid = Number(match[1]);
    const [, , call, rest] = match;
    const pid = processFor(tid);
    if (call === 'execve' && !/= -1/.test(rest!)) {
      const argv = /\[(.*?)\](?:, 0x|, \[|\))/.exec(rest!)?.[1] ?? rest!;
      commandOf.set(pid, argv.replace(/"/g, '').replace(/, /g, ' '));
      commands.push(commandOf.get(pid)!);
    } else if (/^(clone3?|fork|vfork)$/.test(call!)) {
      const child = Number(/= (\d+)\s*$/.exec(rest!)?.[1]);
      if (!child) continue;
      // A thread belongs to its creator's process; a new process starts as its parent's command.
      if (/CLONE_THREAD/.test(rest!)) processOf.set(child, pid);
      else {
        commandOf.set(child, commandOf.get(pid) ?? '');
        parentOf.set(child, pid);
      }
    } else if (call === 'connect') {
      const inet = /sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)/.exec(rest!);
      const inet6 = /sa_family=AF_INET6, sin6_port=htons\((\d+)\),.*?inet_pton\(AF_INET6, "([^"]+)"/.exec(rest!);
      const found = inet ?? inet6;
      if (found) connections.push({ pid, command: commandOf.get(pid) ?? '', ancestors: ancestors(pid), family: inet ? 'inet' : 'inet6', address: found[2]!, port: Number(found[1]) });
    }
  }
  return { connections, commands };
}

/** Whether the connection was made by a process running `pattern`, or by one of its descendants. */
export function madeUnder(connection: Connection, pattern: RegExp): boolean {
  return pattern.test(connection.command) || connection.ancestors.some((command) => pattern.test(command));
}
