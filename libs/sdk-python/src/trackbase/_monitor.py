"""System metrics every N seconds: CPU, process and system memory, disk and network I/O, and per GPU (NVML) use, memory, power, temperature."""

from __future__ import annotations

import os
import threading
import time
from typing import Any, Callable, Dict

_nvml: Any = None
_nvml_tried = False


def nvml() -> Any:
    """pynvml (nvidia-ml-py), initialised once; None without the library or a GPU."""
    global _nvml, _nvml_tried
    if _nvml_tried:
        return _nvml
    _nvml_tried = True
    try:
        import pynvml

        pynvml.nvmlInit()
        _nvml = pynvml
    except Exception:
        _nvml = None
    return _nvml


def gpu_sample() -> Dict[str, float]:
    lib = nvml()
    out: Dict[str, float] = {}
    if lib is None:
        return out
    try:
        for i in range(lib.nvmlDeviceGetCount()):
            h = lib.nvmlDeviceGetHandleByIndex(i)
            util = lib.nvmlDeviceGetUtilizationRates(h)
            mem = lib.nvmlDeviceGetMemoryInfo(h)
            out[f"gpu.{i}.utilization_percent"] = float(util.gpu)
            out[f"gpu.{i}.memory_used_bytes"] = float(mem.used)
            out[f"gpu.{i}.memory_percent"] = 100.0 * mem.used / mem.total if mem.total else 0.0
            try:
                out[f"gpu.{i}.power_watts"] = lib.nvmlDeviceGetPowerUsage(h) / 1000.0
                out[f"gpu.{i}.temperature_c"] = float(lib.nvmlDeviceGetTemperature(h, lib.NVML_TEMPERATURE_GPU))
            except Exception:
                pass
    except Exception:
        return {}
    return out


class Sampler:
    def __init__(self) -> None:
        import psutil

        self.psutil = psutil
        self.process = psutil.Process(os.getpid())
        self.process.cpu_percent(None)
        psutil.cpu_percent(None)
        self.disk = self._disk()
        self.net = self._net()
        self.at = time.monotonic()

    def _disk(self) -> Any:
        try:
            return self.psutil.disk_io_counters()
        except Exception:
            return None

    def _net(self) -> Any:
        try:
            return self.psutil.net_io_counters()
        except Exception:
            return None

    def sample(self) -> Dict[str, float]:
        ps = self.psutil
        now = time.monotonic()
        seconds = max(1e-6, now - self.at)
        vm = ps.virtual_memory()
        values: Dict[str, float] = {
            "cpu.utilization_percent": float(ps.cpu_percent(None)),
            "memory.used_percent": float(vm.percent),
            "memory.used_bytes": float(vm.total - vm.available),
            "process.cpu_percent": float(self.process.cpu_percent(None)),
            "process.rss_bytes": float(self.process.memory_info().rss),
        }
        try:
            values["cpu.load_1m"] = float(os.getloadavg()[0])
        except (AttributeError, OSError):
            pass
        try:
            values["disk.used_percent"] = float(ps.disk_usage(os.getcwd()).percent)
        except Exception:
            pass
        disk, net = self._disk(), self._net()
        if disk is not None and self.disk is not None:
            values["disk.read_bytes_per_s"] = (disk.read_bytes - self.disk.read_bytes) / seconds
            values["disk.write_bytes_per_s"] = (disk.write_bytes - self.disk.write_bytes) / seconds
        if net is not None and self.net is not None:
            values["network.rx_bytes_per_s"] = (net.bytes_recv - self.net.bytes_recv) / seconds
            values["network.tx_bytes_per_s"] = (net.bytes_sent - self.net.bytes_sent) / seconds
        self.disk, self.net, self.at = disk, net, now
        values.update(gpu_sample())
        return values


def start_system_monitor(interval_s: float, emit: Callable[[Dict[str, Any], int], None], prefix: str = "") -> Callable[[], None]:
    """Samples every `interval_s` on a daemon thread; returns the function that stops it."""
    stop = threading.Event()

    def loop() -> None:
        try:
            sampler = Sampler()
        except Exception:
            return
        step = 0
        while not stop.wait(interval_s):
            try:
                values = sampler.sample()
            except Exception:
                continue
            emit({f"{prefix}{k}": v for k, v in values.items()} if prefix else values, step)
            step += 1

    thread = threading.Thread(target=loop, name="trackbase-system", daemon=True)
    thread.start()

    def stop_monitor() -> None:
        stop.set()
        if thread is not threading.current_thread():
            thread.join(2.0)

    return stop_monitor
