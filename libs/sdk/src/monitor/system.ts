import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

type CpuTimes = { idle: number; total: number };

function cpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    idle += cpu.times.idle;
    total += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq + cpu.times.idle;
  }
  return { idle, total };
}

function networkBytes(): { rx: number; tx: number } | null {
  if (!existsSync('/proc/net/dev')) return null;
  let rx = 0;
  let tx = 0;
  for (const line of readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2)) {
    const [iface, data] = line.split(':');
    if (!data || iface!.trim() === 'lo') continue;
    const fields = data.trim().split(/\s+/).map(Number);
    rx += fields[0]!;
    tx += fields[8]!;
  }
  return { rx, tx };
}

function gpuSample(): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    execFile(
      'nvidia-smi',
      ['--query-gpu=utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits'],
      { timeout: 3_000 },
      (error, stdout) => {
        if (error) return resolve({});
        const out: Record<string, number> = {};
        stdout
          .trim()
          .split('\n')
          .forEach((line, i) => {
            const [util, used, total] = line.split(',').map((s) => Number(s.trim()));
            out[`gpu.${i}.utilization_percent`] = util!;
            out[`gpu.${i}.memory_percent`] = total ? (100 * used!) / total : 0;
          });
        resolve(out);
      },
    );
  });
}

/**
 * Samples the machine every `intervalMs`: CPU and memory use, the process's
 * memory, disk use of the working directory, network throughput, and GPU use
 * when nvidia-smi is present.
 */
export function startSystemMonitor(intervalMs: number, emit: (values: Record<string, number>, step: number) => void): () => void {
  let previousCpu = cpuTimes();
  let previousNet = networkBytes();
  let previousAt = Date.now();
  let step = 0;
  let hasGpu = true;
  const timer = setInterval(() => {
    void (async () => {
      const now = Date.now();
      const cpu = cpuTimes();
      const values: Record<string, number> = {
        'cpu.utilization_percent': 100 * (1 - (cpu.idle - previousCpu.idle) / Math.max(1, cpu.total - previousCpu.total)),
        'cpu.load_1m': loadavg()[0]!,
        'memory.used_percent': 100 * (1 - freemem() / totalmem()),
        'process.rss_bytes': process.memoryUsage().rss,
      };
      previousCpu = cpu;
      try {
        const disk = statfsSync(process.cwd());
        values['disk.used_percent'] = 100 * (1 - disk.bavail / disk.blocks);
      } catch {
        /* not every filesystem answers */
      }
      const net = networkBytes();
      if (net && previousNet) {
        const seconds = (now - previousAt) / 1000;
        values['network.rx_bytes_per_s'] = (net.rx - previousNet.rx) / seconds;
        values['network.tx_bytes_per_s'] = (net.tx - previousNet.tx) / seconds;
      }
      previousNet = net;
      previousAt = now;
      if (hasGpu) {
        const gpu = await gpuSample();
        if (!Object.keys(gpu).length) hasGpu = false;
        Object.assign(values, gpu);
      }
      emit(values, step++);
    })();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
