// Child processes for the self-contained Node tests (not a test file itself): the ones that start
// their own Herald nodes, nginx or tools instead of using the server scripts/test started. Every
// process started here is SIGKILLed if still running when node exits; each keeps the end of its
// output for error messages. Imports nothing of helpers.mjs, which needs HERALD_PORT.
// Set HERALD_TEST_DEBUG=1 to see the processes' output as it comes.

import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LOOPBACK = '127.0.0.1';
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The jar scripts/test built (it exports HERALD_JAR); server/target/herald.jar otherwise. */
export const HERALD_JAR = process.env.HERALD_JAR || join(REPO, 'server/target/herald.jar');
const OUTPUT_KEPT = 20_000; // characters of each process's output kept for error messages
const DEBUG = Boolean(process.env.HERALD_TEST_DEBUG);

export function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `name` found on PATH (or in `extraDirs` first), as an absolute path; null when absent. */
export function onPath(name, extraDirs = []) {
  for (const dir of [...extraDirs, ...(process.env.PATH || '').split(delimiter)]) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** A free loopback TCP port (bound then released, as scripts/test does). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Every process started here, killed (SIGKILL) if still running when node exits anyway. */
export const started = new Set();
process.on('exit', () => {
  for (const proc of started) {
    if (running(proc.child)) {
      try {
        process.kill(proc.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

export function running(child) {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * Spawns `command` with its output collected: `proc.output` (stdout and stderr, the last
 * OUTPUT_KEPT characters), `proc.stdout` and `proc.stderr` (whole), `proc.exited` (resolves to
 * {code, signal} once it exited).
 */
export function startProcess(name, command, args, options) {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = { name, child, output: '', stdout: '', stderr: '', exited: null, listeners: new Set() };
  proc.exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    child.once('error', (err) => {
      proc.output += `\n[spawn error: ${err.message}]`;
      resolveExit({ code: null, signal: null, error: err });
    });
  });
  const collect = (stream) => (chunk) => {
    const text = chunk.toString();
    proc[stream] += text;
    proc.output = (proc.output + text).slice(-OUTPUT_KEPT);
    if (DEBUG) process.stderr.write(`[${name}] ${text}`);
    for (const listener of proc.listeners) listener();
  };
  child.stdout.on('data', collect('stdout'));
  child.stderr.on('data', collect('stderr'));
  started.add(proc);
  return proc;
}

export function describeExit(proc) {
  const { exitCode, signalCode } = proc.child;
  return signalCode ? `killed by ${signalCode}` : `exited with status ${exitCode}`;
}

export function outputOf(proc) {
  return `\n---- output of ${proc.name} ----\n${proc.output.trimEnd() || '(none)'}\n---- end of ${proc.name} ----`;
}

/**
 * Resolves once the process's stdout matches `pattern` (checked whenever output arrives); rejects
 * if it exits first or after `timeoutMs`.
 */
export function waitForOutput(proc, pattern, timeoutMs) {
  return new Promise((resolveMatch, reject) => {
    let timer = null;
    const done = (settle) => {
      proc.listeners.delete(check);
      clearTimeout(timer);
      settle();
    };
    const check = () => {
      if (pattern.test(proc.stdout)) done(resolveMatch);
    };
    timer = setTimeout(() => done(() => reject(new Error(
      `${proc.name} did not print ${pattern} within ${timeoutMs} ms${outputOf(proc)}`))), timeoutMs);
    proc.exited.then(() => done(() => reject(new Error(
      `${proc.name} ${describeExit(proc)} before printing ${pattern}${outputOf(proc)}`))));
    proc.listeners.add(check);
    check();
  });
}

/** The PIDs of a process's direct children (nginx's workers), for a last-resort SIGKILL. */
export function childPids(pid) {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * SIGTERM, then SIGKILL (to it and its direct children) after `graceMs`; resolves once it exited,
 * to whether it exited within the grace period.
 */
export async function stopProcess(proc, graceMs) {
  const { child } = proc;
  if (child.pid === undefined || !running(child)) {
    started.delete(proc);
    return true;
  }
  child.kill('SIGTERM');
  let timer;
  const timedOut = await Promise.race([
    proc.exited.then(() => false),
    new Promise((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout(true), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut && running(child)) {
    process.stderr.write(`${proc.name} (pid ${child.pid}) still running ${graceMs} ms after SIGTERM: killing it\n`);
    const orphans = childPids(child.pid);
    child.kill('SIGKILL');
    for (const pid of orphans) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await proc.exited;
  }
  started.delete(proc);
  return !timedOut;
}

/** The HTTP status of a GET, or null when nothing answered within 2 s. */
export async function httpStatus(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return null;
  }
}

/**
 * The environment a Herald node gets: the basics, nothing that could configure it by accident,
 * metrics off unless asked for (nodes of a test share this machine; 9601 is the default), and no
 * start-up warm-up (seconds per node that no test needs; the Java suite tests it) unless asked for.
 */
export function baseEnv(extra = {}) {
  const env = { METRICS_ENABLED: 'false', STARTUP_WARM_UP: 'false' };
  for (const name of ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'JAVA_HOME']) {
    if (process.env[name]) env[name] = process.env[name];
  }
  return { ...env, ...extra };
}
