// LOG_FORMAT=json (or logging.format in a config file): the real jar's stdout is one JSON object
// per line from the very first line, for log collectors; text stays the default; any other value
// stops start-up naming the variable. Self-contained (starts its own servers on free loopback
// ports; no HERALD_PORT needed); skipped with the reason when the jar is missing.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HERALD_JAR, LOOPBACK, baseEnv, freePort, httpStatus, outputOf, startProcess, stopProcess, waitForOutput,
} from './processes.mjs';

const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 15_000;
const skip = { skip: existsSync(HERALD_JAR) ? false : `the Herald jar ${HERALD_JAR} does not exist (build it, or set HERALD_JAR)` };

const workDirs = [];
function workDir() {
  const dir = mkdtempSync(join(tmpdir(), 'herald-logs-'));
  workDirs.push(dir);
  return dir;
}

/** Starts the jar (cwd: an empty dir), waits for /up, stops it with SIGTERM; resolves to the process. */
async function runOnce(name, env, args = []) {
  const port = await freePort();
  const proc = startProcess(`herald ${name} (port ${port})`, 'java', ['-jar', HERALD_JAR, ...args],
    { cwd: workDir(), env: baseEnv({ HOST: LOOPBACK, PORT: String(port), ...env }) });
  try {
    await waitForOutput(proc, /listening on/, START_TIMEOUT_MS);
    assert.equal(await httpStatus(`http://${LOOPBACK}:${port}/up`), 200, `GET /up${outputOf(proc)}`);
    assert.ok(await stopProcess(proc, STOP_GRACE_MS), `SIGTERM stopped it${outputOf(proc)}`);
    return proc;
  } finally {
    await stopProcess(proc, 1_000);
  }
}

/** Every stdout line parsed as JSON (an error names the line that is not), with Logback's JsonEncoder fields. */
function jsonLines(proc) {
  const lines = proc.stdout.split('\n').filter((line) => line !== '');
  assert.ok(lines.length > 0, `some log lines${outputOf(proc)}`);
  return lines.map((line) => {
    let event;
    try {
      event = JSON.parse(line);
    } catch (err) {
      assert.fail(`not a JSON object: ${line} (${err.message})${outputOf(proc)}`);
    }
    assert.equal(typeof event.timestamp, 'number', `timestamp (ms) in ${line}`);
    assert.match(event.level, /^(TRACE|DEBUG|INFO|WARN|ERROR)$/, `level in ${line}`);
    assert.equal(typeof event.loggerName, 'string', `loggerName in ${line}`);
    assert.equal(typeof event.threadName, 'string', `threadName in ${line}`);
    assert.equal(typeof event.formattedMessage, 'string', `formattedMessage in ${line}`);
    return event;
  });
}

describe('log format', { concurrency: true }, () => {
  after(() => {
    for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
  });

  test('LOG_FORMAT=json: every stdout line is one JSON object, from start-up to "stopped"', skip, async () => {
    const proc = await runOnce('LOG_FORMAT=json', { LOG_FORMAT: 'json', INSTANCE_PROCESS_ID: 'json-node' });
    const events = jsonLines(proc);
    const messages = events.map((event) => event.formattedMessage);
    assert.ok(messages.some((m) => /^Herald node json-node listening on /.test(m)), messages.join('\n'));
    assert.ok(events.some((e) => e.level === 'WARN' && /No apps configured/.test(e.formattedMessage)),
      'the default app\'s warning, logged while the configuration loads, is JSON too');
    assert.equal(events.at(-1).formattedMessage, 'stopped');
    assert.equal(events.at(-1).loggerName, 'io.herald.Herald');
    assert.equal(proc.stderr, '', 'nothing on stderr');
  });

  test('logging.format "json" in a config file: JSON from the first line on, Sockudo\'s logging block accepted', skip, async () => {
    const dir = workDir();
    const file = join(dir, 'herald.json');
    writeFileSync(file, JSON.stringify({
      logging: { format: 'json', colors_enabled: false, include_target: true },
      not_a_key: true,
    }));
    const proc = await runOnce('logging.format json', {}, ['--config', file]);
    const events = jsonLines(proc);
    assert.equal(events[0].formattedMessage, `Loaded configuration from ${file}`,
      'the first line, written while the file is read, is already JSON');
    const warnings = events.filter((e) => e.level === 'WARN').map((e) => e.formattedMessage);
    assert.ok(warnings.some((w) => w.includes("Unknown configuration key 'not_a_key'")), warnings.join('\n'));
    assert.ok(!warnings.some((w) => w.includes("'logging")), `no warning about the logging block: ${warnings.join('\n')}`);
  });

  test('text by default', skip, async () => {
    const proc = await runOnce('default', {});
    const lines = proc.stdout.split('\n').filter((line) => line !== '');
    assert.ok(lines.length > 0, outputOf(proc));
    for (const line of lines) {
      assert.match(line, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (TRACE|DEBUG|INFO|WARN|ERROR) +\S+ - /, `a text line: ${line}`);
    }
    assert.match(proc.stdout, /Herald - stopped/);
  });

  test('another value stops start-up with exit status 2, naming the variable', skip, async () => {
    const proc = startProcess('herald LOG_FORMAT=yaml', 'java', ['-jar', HERALD_JAR],
      { cwd: workDir(), env: baseEnv({ HOST: LOOPBACK, PORT: '0', LOG_FORMAT: 'yaml' }) });
    const { code } = await proc.exited;
    await stopProcess(proc, 1_000); // already exited: only forgets it
    assert.equal(code, 2, outputOf(proc));
    assert.equal(proc.stderr.trim(),
      "herald: configuration error: LOG_FORMAT: expected one of text, json, got 'yaml'", outputOf(proc));
    assert.equal(proc.stdout, '', 'nothing logged');
  });
});
