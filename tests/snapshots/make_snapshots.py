#!/usr/bin/env python3
"""Writes the framework-check snapshots in this directory (bare `snapshot` objects that
`gpuenv doctor --from FILE` replays). tests/e2e/framework_e2e_test.cpp lists what each must produce.
Run it after changing a case: python3 tests/snapshots/make_snapshots.py"""
import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SITE = "/home/u/proj/.venv/lib/python3.12/site-packages"


def machine(driver="580.95.05", driver_cuda=13000, gpu="NVIDIA H100 80GB HBM3", device_id="0x2330", cc=(9, 0),
            flavour="open"):
    nodes = [{"path": p, "kind": "char-device", "mode": 0o666, "uid": 0, "gid": 0, "group": "", "accessible": True}
             for p in ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia0")]
    return {
        "schema_version": 1,
        "tool_version": "0.1.0",
        "created": "2026-12-01T21:00:00Z",
        "root": "/",
        "host": {"hostname": "gpu1", "os_id": "ubuntu", "os_version_id": "24.04", "arch": "x86_64",
                 "kernel_release": "6.8.0-88-generic", "glibc_version": "2.39"},
        "pci_bus_visible": True,
        "pci": [{"address": "0000:00:06.0", "vendor_id": "0x10de", "device_id": device_id, "class_id": "0x030200",
                 "driver": "nvidia", "numa_node": -1}],
        "kernel": {"loaded": True, "version": driver, "flavour": flavour, "uvm_loaded": True,
                   "proc_gpus": ["0000:00:06.0"], "device_nodes": nodes},
        "cuda": {"status": "ok", "requested": "libcuda.so.1", "library_path": "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
                 "library_version": driver, "stage": "done", "driver_version": driver_cuda, "init_result": 0,
                 "device_count": 1,
                 "devices": [{"index": 0, "name": gpu, "cc_major": cc[0], "cc_minor": cc[1],
                              "total_memory": 85520809984, "uuid": "GPU-429e", "pci_bus_id": "0000:00:06.0"}]},
        "nvml": {"status": "ok", "requested": "libnvidia-ml.so.1", "stage": "done", "init_result": 0,
                 "driver_version": driver, "cuda_driver_version": driver_cuda,
                 "devices": [{"index": 0, "name": gpu, "uuid": "GPU-429e", "pci_bus_id": "0000:00:06.0",
                              "cc_major": cc[0], "cc_minor": cc[1], "memory_total": 85520809984,
                              "mig_current": -1, "mig_pending": -1}]},
        "env": {"PATH": "/home/u/proj/.venv/bin:/usr/bin:/bin", "VIRTUAL_ENV": "/home/u/proj/.venv"},
        "python": {"interpreters": [{
            "path": "/home/u/proj/.venv/bin/python", "realpath": "/usr/bin/python3.12",
            "found_as": ["VIRTUAL_ENV", "PATH:python"], "version": "3.12.3", "kind": "venv",
            "prefix": "/home/u/proj/.venv", "base_prefix": "/usr",
            "sys_path": [{"path": SITE, "origin": "site-packages", "exists": True}],
            "distributions": [], "frameworks": []}], "active": 0},
        "libraries": {},
        "probe_errors": [],
    }


def dist(name, version, requires=()):
    return {"name": name, "version": version, "location": SITE,
            "metadata": f"{SITE}/{name.replace('-', '_')}-{version}.dist-info",
            "requires_dist": list(requires), "installer": "pip"}


def torch(version, cuda):
    variant = version.split("+")[1] if "+" in version else ""
    return {"name": "torch", "version": version, "location": f"{SITE}/torch", "distribution": "torch",
            "cuda_build": bool(cuda), "cuda_version": cuda, "variant": variant}


LINUX = '; platform_system == "Linux" and platform_machine == "x86_64"'
CU13_REQS = ["nvidia-cudnn-cu13==9.17.1.4" + LINUX, "nvidia-cublas==13.1.0.3" + LINUX, "filelock"]
CU13_WHEELS = [dist("nvidia-cudnn-cu13", "9.17.1.4"), dist("nvidia-cublas", "13.1.0.3")]


def add(s, fw, dists):
    py = s["python"]["interpreters"][0]
    py["frameworks"].append(fw)
    py["distributions"].extend(dists)
    return s


def write(name, s):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(s, f, indent=1, sort_keys=False)
        f.write("\n")


# A healthy H100 venv: torch 2.11 cu130 with its wheels.
write("healthy-torch-h100.json",
      add(machine(), torch("2.11.0+cu130", "13.0"), [dist("torch", "2.11.0+cu130", CU13_REQS)] + CU13_WHEELS))

# A CPU-only torch on the same H100.
write("cpu-torch-on-h100.json", add(machine(), torch("2.5.1+cpu", ""), [dist("torch", "2.5.1+cpu", ["filelock"])]))

# An RTX 4090 on driver 550 (CUDA 12.4) with a CUDA 13 torch.
write("cu130-on-driver-550.json",
      add(machine("550.54.14", 12040, "NVIDIA GeForce RTX 4090", "0x2684", (8, 9)), torch("2.11.0+cu130", "13.0"),
          [dist("torch", "2.11.0+cu130", CU13_REQS)] + CU13_WHEELS))

# torch cu124 whose cuDNN wheel is the CUDA 13 one and whose cuBLAS wheel is missing.
CU12_REQS = ["nvidia-cudnn-cu12==9.1.0.70" + LINUX, "nvidia-cublas-cu12==12.4.5.8" + LINUX,
             "nvidia-nccl-cu12==2.21.5" + LINUX, "sympy==1.13.1"]
write("wrong-major-wheels.json",
      add(machine(), torch("2.5.1+cu124", "12.4"),
          [dist("torch", "2.5.1+cu124", CU12_REQS), dist("nvidia-cudnn-cu13", "9.17.1.4"),
           dist("nvidia-nccl-cu12", "2.21.5")]))

# A GTX 1080 (Pascal) with torch 2.9 cu130, whose wheels start at Turing.
write("cu130-on-pascal.json",
      add(machine("580.95.05", 13000, "NVIDIA GeForce GTX 1080", "0x1b80", (6, 1), flavour="proprietary"),
          torch("2.9.1+cu130", "13.0"), [dist("torch", "2.9.1+cu130", CU13_REQS)] + CU13_WHEELS))

# CUDA_HOME points at a CUDA 13 toolkit while torch is cu128; a CUDA 12.8 toolkit is installed too.
s = add(machine(), torch("2.9.1+cu128", "12.8"), [dist("torch", "2.9.1+cu128", ["filelock"])])
s["env"]["CUDA_HOME"] = "/usr/local/cuda"
s["toolkit"] = {"toolkits": [
    {"path": "/usr/local/cuda", "realpath": "/usr/local/cuda-13.0", "version": "13.0.88",
     "version_file": "/usr/local/cuda/version.json", "nvcc": "/usr/local/cuda/bin/nvcc",
     "found_as": ["CUDA_HOME", "/usr/local/cuda", "/usr/local/cuda-13.0"]},
    {"path": "/usr/local/cuda-12.8", "realpath": "/usr/local/cuda-12.8", "version": "12.8.93",
     "version_file": "/usr/local/cuda-12.8/version.json", "nvcc": "/usr/local/cuda-12.8/bin/nvcc",
     "found_as": ["/usr/local/cuda-12.8"]}],
    "selected": 0, "selected_by": "CUDA_HOME", "nvcc_on_path": "", "problems": []}
write("toolkit-13-torch-cu128.json", s)

# A machine without a GPU and a CPU torch: only the hardware finding, no framework advice.
s = add(machine(), torch("2.5.1+cpu", ""), [dist("torch", "2.5.1+cpu", ["filelock"])])
s["pci"] = []
s["kernel"] = {"loaded": False}
s["cuda"] = {"status": "not_found", "requested": "libcuda.so.1", "dlerror": "libcuda.so.1: cannot open shared object file"}
s["nvml"] = {"status": "not_found"}
write("no-gpu-cpu-torch.json", s)

# torch 2.11 (Python 3.10-3.14) installed into a Python 3.9 venv.
s = add(machine(), torch("2.11.0+cu130", "13.0"), [dist("torch", "2.11.0+cu130", CU13_REQS)] + CU13_WHEELS)
s["python"]["interpreters"][0]["version"] = "3.9.18"
s["python"]["interpreters"][0]["realpath"] = "/usr/bin/python3.9"
write("torch-on-python39.json", s)

# A CPU-only torch on PYTHONPATH shadows the venv's CUDA torch.
SHADOW = "/home/u/cpu-torch"
s = add(machine(), dict(torch("2.11.0+cpu", ""), location=SHADOW + "/torch"), [])
s = add(s, dict(torch("2.11.0+cu130", "13.0"), shadowed_by=SHADOW + "/torch"),
        [dist("torch", "2.11.0+cu130", CU13_REQS)] + CU13_WHEELS)
s["env"]["PYTHONPATH"] = SHADOW
s["python"]["interpreters"][0]["sys_path"].insert(0, {"path": SHADOW, "origin": "PYTHONPATH", "exists": True})
write("cpu-torch-shadows-cuda-torch.json", s)

# The only torch is a CPU build on PYTHONPATH (a colleague's directory): the fix takes it off PYTHONPATH first,
# since installing into the venv would leave it in front.
SHADOW = "/home/u/shared-torch"
s = add(machine(), dict(torch("2.11.0+cpu", ""), location=SHADOW + "/torch"), [])
s["env"]["PYTHONPATH"] = SHADOW + ":/home/u/proj/src"
s["python"]["interpreters"][0]["sys_path"][:0] = [{"path": SHADOW, "origin": "PYTHONPATH", "exists": True},
                                                   {"path": "/home/u/proj/src", "origin": "PYTHONPATH", "exists": True}]
write("cpu-torch-on-pythonpath.json", s)
