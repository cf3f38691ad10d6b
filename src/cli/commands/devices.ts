// `ars devices SCENARIO --mqtt URL | --http URL`: the scenario's assets as devices publishing telemetry.
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import { playDevices } from '../../live/devices.js';
import { loadForRun, numberOption } from '../common.js';
import { runCommand } from '../io.js';

export function register(program: Command): void {
  program
    .command('devices')
    .description('play the scenario’s assets (their drift and anomaly models) as devices publishing samples')
    .argument('<scenario>', 'scenario file')
    .option('--mqtt <url>', 'publish to this MQTT broker (topic telemetry/<tenant>/<thingId>)')
    .option('--http <url>', 'or POST batches to this server’s /api/v1/telemetry')
    .option('--period <seconds>', 'seconds between two samples of one device', '1')
    .option('--qos <0|1>', 'MQTT quality of service', '1')
    .option('--duration <seconds>', 'stop after this long (default: until Ctrl-C)')
    .action(
      async (
        file: string,
        opts: { mqtt?: string; http?: string; period: string; qos: string; duration?: string },
        cmd: Command,
      ) => {
        const debug = Boolean(cmd.optsWithGlobals().debug);
        await runCommand(async () => {
          if (Boolean(opts.mqtt) === Boolean(opts.http))
            throw new ArsError('ARS_E_INPUT_ARGUMENT', 'give exactly one of --mqtt URL and --http URL');
          const scenario = loadForRun(file);
          const period = numberOption('period', opts.period, { min: 0.001 })!;
          const duration = numberOption('duration', opts.duration, { min: 0 });
          if (opts.qos !== '0' && opts.qos !== '1')
            throw new ArsError('ARS_E_INPUT_ARGUMENT', `--qos expects 0 or 1, got "${opts.qos}"`);
          const player = await playDevices(scenario, {
            ...(opts.mqtt ? { mqtt: opts.mqtt } : { http: opts.http! }),
            period,
            qos: opts.qos === '0' ? 0 : 1,
            onError: (err) => process.stderr.write(`devices: ${err.message}\n`),
          });
          process.stderr.write(
            `${scenario.twins.length} devices publishing every ${period} s to ${opts.mqtt ?? opts.http}\n`,
          );
          await new Promise<void>((resolve) => {
            process.once('SIGINT', () => resolve());
            process.once('SIGTERM', () => resolve());
            if (duration !== undefined) setTimeout(resolve, duration * 1000);
          });
          await player.stop();
          process.stderr.write(`published ${player.published} samples, ${player.errors} errors\n`);
          return player.errors > 0 && player.published === 0 ? 1 : 0;
        }, debug);
      },
    );
}
