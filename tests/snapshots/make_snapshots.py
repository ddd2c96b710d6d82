#!/usr/bin/env python3
"""Writes the check snapshots in this directory (bare `snapshot` objects that
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

# ---------------------------------------------------------------- python.* and deep.*
# The Python-environment checks and the checks on what `doctor --deep` saw when it imported torch.


def dist_at(site, name, version, requires=(), installer="pip"):
    return dict(dist(name, version, requires), location=site,
                metadata=f"{site}/{name.replace('-', '_')}-{version}.dist-info", installer=installer)


def healthy_venv():
    """The healthy H100 venv of the first case, declared by VIRTUAL_ENV (as the probe records it)."""
    s = add(machine(), torch("2.11.0+cu130", "13.0"),
            copy.deepcopy([dist("torch", "2.11.0+cu130", CU13_REQS)] + CU13_WHEELS))
    s["python"]["declared"] = 0
    s["python"]["declared_by"] = "VIRTUAL_ENV"
    return s


# python.not-declared: the venv is activated in ~/.bashrc, then conda's init block activates base, whose bin/
# comes first on PATH: `python` is miniforge's 3.13, not the venv's 3.12 that VIRTUAL_ENV declares.
CONDA = "/home/u/miniforge3"
s = healthy_venv()
s["env"]["PATH"] = f"{CONDA}/bin:{CONDA}/condabin:/home/u/proj/.venv/bin:/usr/bin:/bin"
s["env"]["CONDA_PREFIX"] = CONDA
s["env"]["CONDA_DEFAULT_ENV"] = "base"
s["python"]["interpreters"][0]["found_as"] = ["VIRTUAL_ENV", "PATH:python3.12"]
s["python"]["interpreters"].append({
    "path": f"{CONDA}/bin/python", "realpath": f"{CONDA}/bin/python3.13",
    "found_as": ["PATH:python", "PATH:python3", "conda"], "version": "3.13.5", "kind": "conda",
    "prefix": CONDA, "base_prefix": CONDA,
    "sys_path": [{"path": f"{CONDA}/lib/python3.13/site-packages", "origin": "site-packages", "exists": True}],
    "distributions": [dist_at(f"{CONDA}/lib/python3.13/site-packages", "conda", "25.5.1", installer="conda"),
                      dist_at(f"{CONDA}/lib/python3.13/site-packages", "pip", "25.1.1", installer="conda")],
    "frameworks": []})
s["python"]["active"] = 1
write("venv-behind-conda-base.json", s)

# The same Python version (3.12) on both sides: VIRTUAL_ENV names the venv that has torch, but PATH has lost its bin/
# (a script that rebuilt PATH), so `python` is the system 3.12, which has no torch: an error, not a warning.
s = healthy_venv()
s["env"]["PATH"] = "/usr/local/bin:/usr/bin:/bin"
s["python"]["interpreters"][0]["found_as"] = ["VIRTUAL_ENV"]
s["python"]["interpreters"].append({
    "path": "/usr/bin/python", "realpath": "/usr/bin/python3.12", "found_as": ["PATH:python", "PATH:python3", "system"],
    "version": "3.12.3", "kind": "system", "prefix": "/usr", "base_prefix": "/usr",
    "sys_path": [{"path": "/usr/lib/python3/dist-packages", "origin": "dist-packages", "exists": True}],
    "distributions": [], "frameworks": []})
s["python"]["active"] = 1
write("venv-off-path-same-version.json", s)

# python.pip-mismatch: a venv made by `uv venv`, which installs no pip, so `pip` is Ubuntu's /usr/bin/pip,
# whose shebang runs the system Python 3.12.
s = healthy_venv()
for d in s["python"]["interpreters"][0]["distributions"]:
    d["installer"] = "uv"
SYS_SITE = "/usr/lib/python3/dist-packages"
s["python"]["interpreters"].append({
    "path": "/usr/bin/python3", "realpath": "/usr/bin/python3.12", "found_as": ["system", "pip"],
    "version": "3.12.3", "kind": "system", "prefix": "/usr", "base_prefix": "/usr",
    "sys_path": [{"path": "/usr/local/lib/python3.12/dist-packages", "origin": "dist-packages", "exists": False},
                 {"path": SYS_SITE, "origin": "dist-packages", "exists": True}],
    "distributions": [dist_at(SYS_SITE, "pip", "24.0", installer="debian")], "frameworks": []})
s["python"]["pip"] = "/usr/bin/pip"
s["python"]["pip_interpreter"] = "/usr/bin/python3"
write("uv-venv-system-pip.json", s)

# python.user-site-shadows: a conda environment (conda's Python keeps the user site on) with numpy 2.1 from
# conda-forge, and a `pip install --user numpy==1.26.4` from long ago in ~/.local that wins over it.
ENV = f"{CONDA}/envs/ml"
ENV_SITE = f"{ENV}/lib/python3.11/site-packages"
USER_SITE = "/home/u/.local/lib/python3.11/site-packages"
s = machine()
s["env"] = {"PATH": f"{ENV}/bin:{CONDA}/condabin:/usr/bin:/bin", "CONDA_PREFIX": ENV, "CONDA_DEFAULT_ENV": "ml"}
s["python"]["interpreters"] = [{
    "path": f"{ENV}/bin/python", "realpath": f"{ENV}/bin/python3.11", "found_as": ["PATH:python", "conda"],
    "version": "3.11.13", "kind": "conda", "prefix": ENV, "base_prefix": ENV,
    "sys_path": [{"path": f"{ENV}/lib/python311.zip", "origin": "stdlib", "exists": False},
                 {"path": f"{ENV}/lib/python3.11", "origin": "stdlib", "exists": True},
                 {"path": f"{ENV}/lib/python3.11/lib-dynload", "origin": "lib-dynload", "exists": True},
                 {"path": USER_SITE, "origin": "user-site", "exists": True},
                 {"path": ENV_SITE, "origin": "site-packages", "exists": True}],
    "distributions": [dist_at(USER_SITE, "numpy", "1.26.4"),
                      dict(dist_at(ENV_SITE, "numpy", "2.1.3", installer="conda"), shadowed_by=USER_SITE),
                      dist_at(ENV_SITE, "torch", "2.11.0+cu130", CU13_REQS)] +
                     [dist_at(ENV_SITE, d["name"], d["version"]) for d in CU13_WHEELS],
    "frameworks": [dict(torch("2.11.0+cu130", "13.0"), location=f"{ENV_SITE}/torch")],
    "shadowed_modules": [{"name": "numpy", "wins": USER_SITE, "shadowed": [ENV_SITE]}]}]
write("user-site-numpy-over-conda-env.json", s)


def deep(*results):
    return {"ran": True, "timeout_s": 20.0, "results": list(results)}


def deep_torch(**kw):
    r = {"interpreter": "/home/u/proj/.venv/bin/python", "framework": "torch", "status": "ok", "stage": "done",
         "version": "2.11.0+cu130", "location": f"{SITE}/torch", "cuda_version": "13.0", "cudnn_version": "91701",
         "driver_cuda": "13.0", "cuda_build": True, "device_count": 1, "devices": ["NVIDIA H100 80GB HBM3"],
         "op_result": "4.0", "error": "", "stderr_tail": "", "exit_code": 0, "signal": 0, "duration_ms": 3412.5}
    r.update(kw)
    return r


# deep.framework-failed: `pip uninstall nvidia-cudnn-cu13` took torch's cuDNN away; `import torch` stops at
# libtorch_cuda.so's libcudnn.so.9. framework.wheels-missing sees the same from the files (the cuDNN wheel torch
# requires is not installed), so the static verdict agrees and deep.static-disagrees stays quiet.
IMPORT_ERROR = "ImportError: libcudnn.so.9: cannot open shared object file: No such file or directory"
s = healthy_venv()
s["python"]["interpreters"][0]["distributions"] = [
    d for d in s["python"]["interpreters"][0]["distributions"] if d["name"] != "nvidia-cudnn-cu13"]
s["deep"] = deep(deep_torch(
    status="failed", stage="import", location="", cuda_version="", cudnn_version="", driver_cuda="",
    cuda_build=False, device_count=-1, devices=[], op_result="", version="", error=IMPORT_ERROR,
    stderr_tail="Traceback (most recent call last):\n"
                '  File "<string>", line 67, in <module>\n'
                f'  File "{SITE}/torch/__init__.py", line 415, in <module>\n'
                "    from torch._C import *  # noqa: F403\n"
                "    ^^^^^^^^^^^^^^^^^^^^^^\n" + IMPORT_ERROR + "\n",
    duration_ms=612.0))
write("deep-torch-import-fails-cudnn.json", s)

# deep.no-gpu-seen: CUDA_VISIBLE_DEVICES="" left in the shell; torch imports and sees no GPU. The driver probe
# inherits the same environment, so cuInit says CUDA_ERROR_NO_DEVICE and driver.no-visible-device fires too.
s = healthy_venv()
s["env"]["CUDA_VISIBLE_DEVICES"] = ""
s["cuda"] = {"status": "init_failed", "requested": "libcuda.so.1", "library_path": "/usr/lib/x86_64-linux-gnu/libcuda.so.1",
             "library_version": "580.95.05", "stage": "init", "driver_version": 13000, "init_result": 100,
             "init_error_name": "CUDA_ERROR_NO_DEVICE", "init_error_string": "no CUDA-capable device is detected",
             "device_count": 0, "devices": []}
s["deep"] = deep(deep_torch(cudnn_version="", driver_cuda="", device_count=0, devices=[], op_result="",
                            duration_ms=2140.0))
write("deep-torch-cuda-visible-devices-empty.json", s)

# deep.static-disagrees: a .pth file in the venv runs `import sys; sys.path.insert(...)` for a nightly build; the
# static probe records the line but never runs it, so it judged the venv's torch 2.11 while 2.12.dev was imported.
NIGHTLY = "/opt/pytorch-nightly/lib/python3.12/site-packages"
s = healthy_venv()
s["python"]["interpreters"][0]["pth_imports"] = [
    f"{SITE}/zz_torch_nightly.pth: import sys; sys.path.insert(0, '{NIGHTLY}')"]
s["deep"] = deep(deep_torch(version="2.12.0.dev20261130+cu130", location=f"{NIGHTLY}/torch"))
write("deep-torch-from-pth-import.json", s)

# A Docker container started without --shm-size: /dev/shm is the 64 MB default, torch is installed.
s = add(machine(), torch("2.11.0+cu130", "13.0"), [dist("torch", "2.11.0+cu130", CU13_REQS)] + CU13_WHEELS)
s["host"]["container"] = "docker"
s["host"]["container_hints"] = ["/.dockerenv exists"]
s["host"]["shm_bytes"] = 64 << 20
write("docker-default-shm.json", s)

# An interrupted copy left cuDNN's graph library cut at 3,000 bytes in a directory on LD_LIBRARY_PATH: its headers
# are whole, so libcudnn.so.9's dlopen maps it and torch dies with SIGBUS (as observed on the H200).
s = add(machine(), torch("2.11.0+cu130", "13.0"), [dist("torch", "2.11.0+cu130", CU13_REQS)] + CU13_WHEELS)
s["env"]["LD_LIBRARY_PATH"] = "/opt/cudnn-copy"
NV = SITE + "/nvidia"
s["libraries"] = {
    "copies": [{"name": "cudnn", "path": "/opt/cudnn-copy/libcudnn_graph.so.9", "realpath": "/opt/cudnn-copy/libcudnn_graph.so.9",
                "soname": "libcudnn_graph.so.9", "version": "", "origin": "LD_LIBRARY_PATH", "size": 3000,
                "elf_error": "the section headers lie beyond the end of the file (3000 bytes): truncated"}],
    "consumers": [{"name": "torch", "kind": "framework", "version": "2.11.0+cu130", "location": SITE + "/torch",
                   "interpreter": "/home/u/proj/.venv/bin/python", "model": "torch 2.x",
                   "loads": [
                       {"name": "libcudnn.so.9", "kind": "needed", "when": "import", "requested_by": SITE + "/torch/lib/libtorch_cuda.so",
                        "path": NV + "/cudnn/lib/libcudnn.so.9", "realpath": NV + "/cudnn/lib/libcudnn.so.9", "family": "cudnn",
                        "version": "9.17.1.4", "reason": "RPATH of libtorch_cuda.so: $ORIGIN/../../nvidia/cudnn/lib"},
                       {"name": "libcudnn_graph.so.9", "kind": "dlopen", "when": "init", "requested_by": NV + "/cudnn/lib/libcudnn.so.9",
                        "path": "/opt/cudnn-copy/libcudnn_graph.so.9", "realpath": "/opt/cudnn-copy/libcudnn_graph.so.9",
                        "family": "cudnn", "reason": "LD_LIBRARY_PATH: /opt/cudnn-copy",
                        "damage": "the section headers lie beyond the end of the file (3000 bytes): truncated"}],
                   "kernels": []}]}
write("damaged-cudnn-on-ld-library-path.json", s)

# ---------------------------------------------------------------- issue 14: the wheels' invariants
# library.wrong-version and python.wheel-incomplete: the copy torch loads is not the release its wheel pins, whatever
# the path to it; and the files a GPU wheel's RECORD lists are all there with their sizes.
SYS = "/usr/lib/x86_64-linux-gnu"
SYS_CUDNN = {"name": "cudnn", "path": SYS + "/libcudnn.so.9", "realpath": SYS + "/libcudnn.so.9.14.0",
             "soname": "libcudnn.so.9", "version": "9.14.0", "origin": "default", "size": 125000,
             "package": "deb:libcudnn9-cuda-13"}


def torch_consumer(loads):
    return {"name": "torch", "kind": "framework", "version": "2.11.0+cu130", "location": SITE,
            "interpreter": "/usr/bin/python3.12", "model": "torch 2.x", "loads": loads, "kernels": []}


def cudnn_load(path, real, reason, version, considered=(), reused=False):
    return {"name": "libcudnn.so.9", "kind": "needed", "when": "import", "requested_by": SITE + "/torch/lib/libtorch_cuda.so",
            "path": path, "realpath": real, "family": "cudnn", "version": version, "reason": reason,
            "reused": reused, "considered": list(considered)}


def record(entries, missing=(), changed=()):
    return {"entries": entries, "missing": list(missing)[:20], "missing_count": len(missing),
            "changed": list(changed)[:20], "changed_count": len(changed), "hashed": False, "error": ""}


CUDNN_FILES = ["nvidia/cudnn/lib/" + f for f in (
    "libcudnn.so.9", "libcudnn_adv.so.9", "libcudnn_cnn.so.9", "libcudnn_engines_precompiled.so.9",
    "libcudnn_engines_runtime_compiled.so.9", "libcudnn_graph.so.9", "libcudnn_heuristic.so.9", "libcudnn_ops.so.9")]


def healthy_torch_with(cudnn_record):
    s = add(machine(), torch("2.11.0+cu130", "13.0"),
            [dist("torch", "2.11.0+cu130", CU13_REQS), dict(dist("nvidia-cudnn-cu13", "9.17.1.4"), record=cudnn_record),
             dist("nvidia-cublas", "13.1.0.3")])
    return s


# The files of the cuDNN wheel deleted, its dist-info left: torch's RPATH $ORIGIN/../../nvidia/cudnn/lib finds
# nothing and the loader falls through to ld.so.cache's system cuDNN 9.14 ("cuDNN version incompatibility" at the
# first convolution). Both invariants fire; both fixes are the forced reinstall.
s = healthy_torch_with(record(12, CUDNN_FILES))
s["libraries"] = {"copies": [SYS_CUDNN], "consumers": [torch_consumer([cudnn_load(
    SYS + "/libcudnn.so.9", SYS + "/libcudnn.so.9.14.0", "ld.so.cache", "9.14.0",
    [SITE + "/nvidia/cudnn/lib/libcudnn.so.9", SITE + "/torch/lib/libcudnn.so.9"])])],
    "system_dirs": ["/lib/x86_64-linux-gnu", SYS, "/lib", "/usr/lib"]}
write("cudnn-wheel-emptied.json", s)

# The wheel's libcudnn_graph.so.9 overwritten by another copy (a `cp` over it): same name, another size.
s = healthy_torch_with(record(12, (), ["nvidia/cudnn/lib/libcudnn_graph.so.9: 2304120 bytes, RECORD says 3118280"]))
write("cudnn-wheel-overwritten.json", s)

# LD_PRELOAD names the system cuDNN 9.14: preloaded, it satisfies libtorch_cuda.so's libcudnn.so.9 whatever the RPATH
# says; the fix edits LD_PRELOAD (and nothing else).
s = healthy_torch_with(record(12))
s["env"]["LD_PRELOAD"] = SYS + "/libcudnn.so.9.14.0"
s["env"]["LD_LIBRARY_PATH"] = "/usr/local/nvidia/lib64"
s["libraries"] = {"copies": [SYS_CUDNN], "consumers": [torch_consumer([cudnn_load(
    SYS + "/libcudnn.so.9.14.0", SYS + "/libcudnn.so.9.14.0", "LD_PRELOAD: " + SYS + "/libcudnn.so.9.14.0", "9.14.0",
    reused=True)])],
    "system_dirs": ["/lib/x86_64-linux-gnu", SYS, "/lib", "/usr/lib"],
    "preload": [{"entry": SYS + "/libcudnn.so.9.14.0", "source": "LD_PRELOAD", "path": SYS + "/libcudnn.so.9.14.0",
                 "realpath": SYS + "/libcudnn.so.9.14.0", "soname": "libcudnn.so.9", "family": "cudnn"}]}
write("cudnn-preloaded.json", s)

# ---------------------------------------------------------------- env.* and nccl.*
# Variables against their grammar (src/knowledge/variables.toml).


def jax_fw(site=SITE):
    return {"name": "jax", "version": "0.11.0", "location": f"{site}/jax", "distribution": "jaxlib + jax-cuda13-plugin",
            "cuda_build": True, "cuda_version": "13.0", "variant": "cuda13"}


# env.variable-invalid and nccl.socket-ifname-missing: a training script's launcher exports PyTorch's allocator
# setting with a lower-case true (PyTorch accepts only True/False) and an NCCL interface from another cluster.
s = healthy_venv()
s["env"]["PYTORCH_CUDA_ALLOC_CONF"] = "expandable_segments:true,max_split_size_mb:128"
s["env"]["NCCL_SOCKET_IFNAME"] = "ib0"
s["host"]["net_interfaces"] = ["docker0", "eno1", "lo"]
write("env-alloc-conf-and-nccl-ifname.json", s)

# env.variable-hides-gpu: JAX_PLATFORMS=cpu left from a CPU test run; the venv has jax with its CUDA 13 plugin.
s = healthy_venv()
s["python"]["interpreters"][0]["frameworks"].append(jax_fw())
s["env"]["JAX_PLATFORMS"] = "cpu"
write("jax-platforms-cpu.json", s)

# Valid settings of every kind: nothing to report.
s = healthy_venv()
s["python"]["interpreters"][0]["frameworks"].append(jax_fw())
s["env"].update({"PYTORCH_ALLOC_CONF": "expandable_segments:True, max_split_size_mb:512,roundup_power2_divisions:[256:1,512:2,>:4]",
                 "XLA_PYTHON_CLIENT_PREALLOCATE": "false", "XLA_PYTHON_CLIENT_MEM_FRACTION": ".5",
                 "XLA_PYTHON_CLIENT_ALLOCATOR": "platform", "JAX_PLATFORMS": "cuda,cpu", "CUPY_ACCELERATORS": "cub,cutensor",
                 "CUPY_GPU_MEMORY_LIMIT": "80%", "CUDA_DEVICE_ORDER": "PCI_BUS_ID", "CUDA_MODULE_LOADING": "LAZY",
                 "NVIDIA_VISIBLE_DEVICES": "all", "TF_FORCE_GPU_ALLOW_GROWTH": "true", "NCCL_SOCKET_IFNAME": "^docker,lo",
                 "NCCL_P2P_DISABLE": "0", "NCCL_IB_DISABLE": "1"})
s["host"]["net_interfaces"] = ["docker0", "eno1", "lo"]
write("healthy-tuned-variables.json", s)

# python.framework-unreachable: torch lives in /opt/torch/.venv (found by the probe's look at the usual venv
# places), but the shell's PATH has no venv: `python3` is Ubuntu's, which has no torch.
OPT = "/opt/torch/.venv"
OPT_SITE = f"{OPT}/lib/python3.12/site-packages"
s = machine()
s["env"] = {"PATH": "/usr/local/bin:/usr/bin:/bin"}
s["python"] = {"interpreters": [
    {"path": "/usr/bin/python3", "realpath": "/usr/bin/python3.12", "found_as": ["PATH:python3", "system"],
     "version": "3.12.3", "kind": "system", "prefix": "/usr", "base_prefix": "/usr",
     "sys_path": [{"path": "/usr/lib/python3/dist-packages", "origin": "dist-packages", "exists": True}],
     "distributions": [], "frameworks": []},
    {"path": f"{OPT}/bin/python", "realpath": "/usr/bin/python3.12", "found_as": ["venv-scan"],
     "version": "3.12.3", "kind": "venv", "prefix": OPT, "base_prefix": "/usr",
     "sys_path": [{"path": OPT_SITE, "origin": "site-packages", "exists": True}],
     "distributions": [dist_at(OPT_SITE, "torch", "2.11.0+cu130", CU13_REQS)] +
                      [dist_at(OPT_SITE, d["name"], d["version"]) for d in CU13_WHEELS],
     "frameworks": [dict(torch("2.11.0+cu130", "13.0"), location=f"{OPT_SITE}/torch")]}], "active": 0}
write("torch-only-in-opt-venv.json", s)

# python.env-var-stale: the project's venv was deleted and recreated elsewhere, the old shell still exports
# VIRTUAL_ENV; `python` is the new venv's (first on PATH).
s = healthy_venv()
s["env"]["VIRTUAL_ENV"] = "/home/u/old-proj/.venv"
s["python"]["declared"] = -1
s["python"]["declared_by"] = ""
s["python"]["interpreters"][0]["found_as"] = ["PATH:python"]
write("stale-virtual-env.json", s)

# ---------------------------------------------------------------- framework.wheels-missing and extras
# As on the GPU machine (H200, /opt/torch/.venv): jax-cuda13-plugin lists its nvidia-* wheels only behind
# `extra == "with-cuda"`; torch's pins brought most of them, nvidia-cuda-nvcc and nvidia-nvvm are absent, and jax
# works. Whether the extra was asked for is recorded nowhere: no alarm while every library jax loads is found.
PLUGIN_REQS = ["jax-cuda13-pjrt==0.11.0"] + [
    f'{n}; sys_platform == "linux" and extra == "with-cuda"' for n in
    ("nvidia-cublas>=13.0.0.19", "nvidia-cuda-nvcc>=13.0.48", "nvidia-cudnn-cu13<10.0,>=9.12.0.46")] + [
    'nvidia-nvvm; extra == "with-cuda"']


def jax_plugin_venv(cudnn_found):
    s = healthy_venv()
    fw = dict(jax_fw(), required_wheels=["nvidia-cublas>=13.0.0.19", "nvidia-cuda-nvcc>=13.0.48",
                                         "nvidia-cudnn-cu13<10.0,>=9.12.0.46", "nvidia-nvvm"])
    py = s["python"]["interpreters"][0]
    py["frameworks"].append(fw)
    py["distributions"] += [dist("jax", "0.11.0", ['jax-cuda13-plugin[with-cuda]==0.11.0; extra == "cuda13"']),
                            dist("jaxlib", "0.11.0"), dist("jax-cuda13-plugin", "0.11.0", PLUGIN_REQS),
                            dist("jax-cuda13-pjrt", "0.11.0")]
    lib = SITE + "/nvidia/cudnn/lib/libcudnn.so.9"
    load = {"name": "libcudnn.so.9", "kind": "dlopen", "when": "first use", "requested_by": SITE + "/jaxlib",
            "path": lib if cudnn_found else "", "realpath": lib if cudnn_found else "", "family": "cudnn",
            "version": "9.17.1.4" if cudnn_found else "", "reason": "RPATH" if cudnn_found else "not found",
            "considered": [] if cudnn_found else [lib]}
    s["libraries"] = {"copies": [], "consumers": [
        {"name": "jax", "kind": "framework", "version": "0.11.0", "location": SITE, "interpreter": py["path"],
         "model": "jax (CUDA plugin)", "loads": [load], "kernels": []}]}
    return s


write("jax-plugin-extra-wheels-absent.json", jax_plugin_venv(True))
# The same without torch and its cuDNN wheel: the cuDNN jax loads is found nowhere, the absent wheels are the cause.
s = jax_plugin_venv(False)
py = s["python"]["interpreters"][0]
py["frameworks"] = [f for f in py["frameworks"] if f["name"] != "torch"]
py["distributions"] = [d for d in py["distributions"] if d["name"] not in ("torch", "nvidia-cudnn-cu13")]
write("jax-plugin-cudnn-absent.json", s)
