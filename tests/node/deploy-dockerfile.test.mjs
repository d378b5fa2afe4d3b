// deploy/Dockerfile, proven as far as a machine without a Docker engine allows: this file parses
// it and checks its two stages, then runs the runtime stage's ENTRYPOINT + CMD, exactly as
// written, with the image's paths mapped to this checkout through the Dockerfile's own COPY lines:
// the jar its build stage's command makes (scripts/test's mvn builds the same
// server/target/herald.jar) and server/jvm.options. It checks that /up answers 200, that the
// HEALTHCHECK command passes against it, and that SIGTERM (what `docker stop` sends to PID 1)
// closes a client with 4200 and stops the process before Docker's default 10 s SIGKILL.
//
// What only a Docker engine can show is not tested here: that the base images exist, that
// `apt-get install curl` and `useradd` work in them, the build cache mount, file ownership.
// Self-contained (no HERALD_PORT needed); skipped with the reason when the jar is missing.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import {
  HERALD_JAR, LOOPBACK, REPO, baseEnv, freePort, httpStatus, outputOf, startProcess, stopProcess, waitForOutput,
} from './processes.mjs';

const DOCKERFILE = join(REPO, 'deploy/Dockerfile');
const BUILD_COMMAND = 'mvn -B -DskipTests -pl server -am package';
const START_TIMEOUT_MS = 30_000;
/** `docker stop` sends SIGKILL 10 s after SIGTERM unless told otherwise. */
const DOCKER_STOP_TIMEOUT_MS = 10_000;
const APP_KEY = 'app-key'; // the default app's

// ---------------------------------------------------------------- reading the Dockerfile

/**
 * The instructions of a Dockerfile: {instruction, flags, args, json} with continuation lines
 * joined and comments dropped (also between continuation lines, as Docker does). `flags` are the
 * leading --name=value options; `json` is the parsed array of an exec-form instruction.
 */
function parseDockerfile(text) {
  const instructions = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    if (whole === '') continue;
    const [, instruction, rest] = /^(\S+)\s*(.*)$/s.exec(whole);
    const flags = {};
    let args = rest;
    for (let m; (m = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(args));) {
      flags[m[1]] = m[2] ?? true;
      args = args.slice(m[0].length);
    }
    let json = null;
    if (args.startsWith('[')) json = JSON.parse(args);
    instructions.push({ instruction: instruction.toUpperCase(), flags, args, json });
  }
  return instructions;
}

/** The stages: {from, name, instructions (after FROM), workdir (the last WORKDIR)}. */
function stagesOf(instructions) {
  const stages = [];
  for (const ins of instructions) {
    if (ins.instruction === 'FROM') {
      const [from, as, name] = ins.args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : null, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1).instructions.push(ins);
    }
  }
  for (const stage of stages) {
    stage.workdir = stage.instructions.filter((ins) => ins.instruction === 'WORKDIR').at(-1)?.args ?? '/';
    stage.all = (name) => stage.instructions.filter((ins) => ins.instruction === name);
    stage.last = (name) => stage.all(name).at(-1);
  }
  return stages;
}

/** A COPY's sources and where each lands in the image. */
function copies(stage) {
  return stage.all('COPY').map((ins) => {
    const parts = ins.json ?? ins.args.split(/\s+/);
    const sources = parts.slice(0, -1);
    const dest = posix.resolve(stage.workdir, parts.at(-1));
    const intoDir = parts.at(-1).endsWith('/') || sources.length > 1;
    return {
      from: ins.flags.from ?? null,
      files: sources.map((source) => ({ source, target: intoDir ? posix.join(dest, posix.basename(source)) : dest })),
    };
  });
}

const text = existsSync(DOCKERFILE) ? readFileSync(DOCKERFILE, 'utf8') : '';
const stages = stagesOf(parseDockerfile(text));
const build = stages[0];
const runtime = stages.at(-1);

/** The runtime image's files that come from this checkout: image path -> checkout path. */
function runtimeFiles() {
  const files = new Map();
  for (const copy of copies(runtime)) {
    for (const { source, target } of copy.files) {
      if (copy.from === null) {
        files.set(target, join(REPO, source));
      } else {
        assert.equal(copy.from, build.name, `COPY --from=${copy.from}: the build stage is ${build.name}`);
        // The build stage lays the checkout out under its WORKDIR (checked below), so a path there
        // is the same path in this checkout, where scripts/test's build left its products.
        const inCheckout = posix.relative(build.workdir, source);
        assert.ok(!inCheckout.startsWith('..') && !posix.isAbsolute(inCheckout),
          `COPY --from=${copy.from} ${source}: under the build stage's WORKDIR ${build.workdir}`);
        files.set(target, join(REPO, inCheckout));
      }
    }
  }
  return files;
}

/** The variables the runtime stage's ENV lines set (KEY=VALUE form). */
function imageEnv() {
  const env = {};
  for (const ins of runtime.all('ENV')) {
    for (const [, key, value] of ins.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[key] = value.replace(/^"|"$/g, '');
  }
  return env;
}

/** ENTRYPOINT + CMD of the runtime stage, with every image path replaced by its checkout path. */
function commandHere() {
  const files = runtimeFiles();
  const argv = [...(runtime.last('ENTRYPOINT')?.json ?? []), ...(runtime.last('CMD')?.json ?? [])];
  return argv.map((arg) => {
    const [prefix, path] = arg.startsWith('@') ? ['@', arg.slice(1)] : ['', arg];
    if (files.has(path)) return prefix + files.get(path);
    assert.ok(!path.startsWith('/'), `${arg} in ENTRYPOINT/CMD is not a file the Dockerfile copies in`);
    return arg;
  });
}

// ---------------------------------------------------------------- a raw WebSocket client

/**
 * Opens ws://127.0.0.1:port/app/{key} by hand (Node 20 has no WebSocket client) and resolves once
 * pusher:connection_established arrived, to {closed}: a promise of the close code the server sends
 * (null if the connection ends without a close frame). The server's close is answered.
 */
function openPusherSocket(port) {
  return new Promise((resolveOpen, reject) => {
    const socket = createConnection({ host: LOOPBACK, port });
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let closeCode;
    const closed = new Promise((resolveClose) => {
      closeCode = resolveClose;
    });
    socket.setTimeout(START_TIMEOUT_MS, () => socket.destroy(new Error('no answer from the WebSocket')));
    socket.once('connect', () => {
      socket.write(`GET /app/${APP_KEY}?protocol=7&client=js&version=8.6.0 HTTP/1.1\r\n` +
        `Host: ${LOOPBACK}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString();
        buffer = buffer.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) {
          reject(new Error(`the WebSocket upgrade was refused: ${head}`));
          socket.destroy();
          return;
        }
        upgraded = true;
      }
      for (;;) {
        if (buffer.length < 2) return;
        let length = buffer[1] & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + length) return;
        const opcode = buffer[0] & 0x0f;
        const payload = buffer.subarray(offset, offset + length);
        buffer = buffer.subarray(offset + length);
        if (opcode === 0x1 && JSON.parse(payload.toString()).event === 'pusher:connection_established') {
          socket.setTimeout(0);
          resolveOpen({ closed });
        } else if (opcode === 0x8) {
          closeCode(payload.length >= 2 ? payload.readUInt16BE(0) : null);
          // Answer with a masked close frame echoing the code, as a browser would.
          const mask = randomBytes(4);
          const body = Buffer.from(payload.subarray(0, 2)).map((byte, i) => byte ^ mask[i % 4]);
          socket.end(Buffer.concat([Buffer.from([0x88, 0x80 | body.length]), mask, body]));
        }
      }
    });
    socket.once('error', reject);
    socket.once('close', () => closeCode(null));
  });
}

// ---------------------------------------------------------------- the tests

const skipReason = !existsSync(DOCKERFILE)
  ? `${DOCKERFILE} does not exist`
  : !existsSync(HERALD_JAR)
    ? `the Herald jar ${HERALD_JAR} does not exist (build it, or set HERALD_JAR)`
    : false;
const skip = { skip: skipReason };

describe('deploy/Dockerfile', () => {
  const workDirs = [];
  after(() => {
    for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
  });

  test('two stages: a Maven build on JDK 17, then a JRE 17 runtime', skip, () => {
    assert.equal(stages.length, 2, `stages: ${stages.map((s) => s.from).join(', ')}`);
    assert.match(build.from, /^maven:[^ ]*temurin-17$/, 'the build stage is Maven on Temurin 17');
    assert.ok(build.name, 'the build stage is named (AS ...) for COPY --from');
    assert.match(runtime.from, /^eclipse-temurin:17-jre/, 'the runtime is a JRE 17');
  });

  test(`the build stage lays out the checkout under its WORKDIR and runs \`${BUILD_COMMAND}\``, skip, () => {
    const runs = build.all('RUN').map((ins) => ins.args.trim());
    assert.deepEqual(runs, [BUILD_COMMAND], 'one RUN: the same build as bin/herald\'s');
    for (const copy of copies(build)) {
      assert.equal(copy.from, null, 'the build stage copies from the build context (the checkout)');
      for (const { source, target } of copy.files) {
        assert.ok(existsSync(join(REPO, source)), `COPY ${source}: exists in the checkout`);
        assert.equal(posix.relative(build.workdir, target), posix.normalize(source),
          `COPY ${source} lands at the same path under ${build.workdir}`);
      }
    }
    assert.ok(runtimeFiles().has('/opt/herald/herald.jar'), 'the runtime stage copies the jar from the build stage');
  });

  test('runtime: a numeric non-root user, ports 6001 and 9601, a HEALTHCHECK on /up, exec-form ENTRYPOINT', skip, () => {
    const user = runtime.last('USER')?.args ?? 'root';
    assert.match(user, /^[1-9][0-9]*(:[1-9][0-9]*)?$/, `USER ${user}: numeric (Kubernetes' runAsNonRoot checks it) and not 0`);
    const exposed = runtime.all('EXPOSE').flatMap((ins) => ins.args.split(/\s+/));
    assert.deepEqual(exposed.sort(), ['6001', '9601']);
    const healthcheck = runtime.last('HEALTHCHECK');
    assert.ok(healthcheck, 'a HEALTHCHECK');
    assert.match(healthcheck.args, /^CMD .*\/up\b/, 'the HEALTHCHECK asks /up');
    const entrypoint = runtime.last('ENTRYPOINT');
    assert.ok(Array.isArray(entrypoint?.json),
      'ENTRYPOINT in exec form (a JSON array): java is PID 1 and gets SIGTERM itself, not a shell');
    const cmd = runtime.last('CMD');
    assert.ok(!cmd || Array.isArray(cmd.json), 'CMD, if any, in exec form too');
    assert.equal(entrypoint.json[0], 'java');
    assert.ok(entrypoint.json.includes('-jar'));
  });

  test('its JVM options are server/jvm.options plus a heap sized from the container\'s memory', skip, () => {
    const argv = commandHere();
    assert.ok(argv.includes(`@${join(REPO, 'server/jvm.options')}`),
      `server/jvm.options is read as a java @argument file: ${argv.join(' ')}`);
    // The options only (up to -jar), with the JVM asked to print what it made of them.
    const options = argv.slice(1, argv.indexOf('-jar'));
    const run = spawnSync(argv[0], [...options, '-XX:+PrintFlagsFinal', '-version'], { encoding: 'utf8' });
    assert.equal(run.status, 0, `java ${options.join(' ')} -version:\n${run.stderr}`);
    // "     bool UseSerialGC                              = true                   {product} {command line}"
    const flag = (name) => {
      const line = new RegExp(`^\\s*\\S+\\s+${name}\\s+=\\s+(\\S+).*$`, 'm').exec(run.stdout);
      return { value: line?.[1], given: Boolean(line?.[0].includes('{command line}')) };
    };
    const given = (name, value, why) => assert.deepEqual(flag(name), { value, given: true }, why);
    given('UseSerialGC', 'true', 'from server/jvm.options');
    given('ExitOnOutOfMemoryError', 'true', 'from server/jvm.options');
    given('NewSize', String(16 * 1024 * 1024), '-Xmn16m from server/jvm.options');
    const heapShare = flag('MaxRAMPercentage');
    assert.ok(heapShare.given && Number(heapShare.value) >= 25 && Number(heapShare.value) <= 75,
      `-XX:MaxRAMPercentage given, 25-75 % of the container's memory, leaving room off the heap: ${JSON.stringify(heapShare)}`);
    assert.equal(flag('UseContainerSupport').value, 'true', 'the JVM reads the container\'s limits');
  });

  test('ENTRYPOINT + CMD run the jar: /up answers 200, the HEALTHCHECK passes, SIGTERM stops it with 4200', skip, async () => {
    const argv = commandHere();
    const [port, metricsPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), 'herald-dockerfile-'));
    workDirs.push(dir);
    // The image's defaults (its ENV lines), but on loopback and free ports.
    const env = baseEnv({ ...imageEnv(), HOST: LOOPBACK, PORT: String(port), METRICS_HOST: LOOPBACK,
      METRICS_PORT: String(metricsPort) });
    // cwd: an empty dir, as the image's WORKDIR has no config/config.json either.
    const proc = startProcess(`herald as the image runs it (port ${port})`, argv[0], argv.slice(1), { cwd: dir, env });
    try {
      await waitForOutput(proc, /listening on/, START_TIMEOUT_MS);
      assert.equal(await httpStatus(`http://${LOOPBACK}:${port}/up`), 200, `GET /up${outputOf(proc)}`);

      const healthcheck = runtime.last('HEALTHCHECK').args.replace(/^CMD\s+/, '');
      const check = spawnSync('sh', ['-c', healthcheck], { env, encoding: 'utf8', timeout: 10_000 });
      assert.equal(check.status, 0, `the HEALTHCHECK command (${healthcheck}) failed: ${check.stderr}${outputOf(proc)}`);

      const client = await openPusherSocket(port);
      const stopping = Date.now();
      const stoppedInTime = await stopProcess(proc, DOCKER_STOP_TIMEOUT_MS);
      const tookMs = Date.now() - stopping;
      assert.ok(stoppedInTime, `SIGTERM stopped the server within ${DOCKER_STOP_TIMEOUT_MS} ms${outputOf(proc)}`);
      assert.equal(await client.closed, 4200, 'the open connection was closed with 4200 (reconnect now)');
      const { code, signal } = await proc.exited;
      // The JVM exits with 128 + 15 once its shutdown hooks ran after a SIGTERM.
      assert.ok(code === 143 || code === 0, `exit status ${code} (signal ${signal}) after ${tookMs} ms${outputOf(proc)}`);
      assert.match(proc.stdout, /shutting down: closing 1 connection\(s\) with 4200/, outputOf(proc));
      assert.match(proc.stdout, /Herald - stopped/, outputOf(proc));
    } finally {
      await stopProcess(proc, 1_000);
    }
  });
});

