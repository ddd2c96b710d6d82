#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets (tests/fuzz/corpus/<target>/seed-*) from the repository's
fixtures, snapshots and data files. Run it again after adding fixtures; files the fuzzers found
(corpus/<target>/<sha1>) and the reproducers (crashes/<target>/) are kept as they are.
Usage: tests/fuzz/make_seeds.py"""
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus")
MAX_SEED = 64 * 1024


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_SEED:
        return
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + re.sub(r"[^A-Za-z0-9._-]", "_", name)), "wb") as f:
        f.write(data)


def tree(root, env=None, limit=48 * 1024):
    """A directory as one write_tree input (text files and links; large or binary files left out)."""
    out = []
    if env:
        out.append("=== .fuzz-env\n" + "".join(f"{k}={v}\n" for k, v in env.items()))
    size = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for n in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)
            if os.path.islink(p):
                out.append(f"=== {rel} -> {os.readlink(p)}\n")
                continue
            with open(p, "rb") as f:
                body = f.read(4097)
            if len(body) > 4096 or b"\0" in body:
                body = b""  # ELF placeholders and large files: the name matters more than the bytes
            body = body.decode("utf-8", "replace")
            size += len(body)
            if size > limit:
                break
            out.append(f"=== {rel}\n{body}" + ("" if body.endswith("\n") or not body else "\n"))
    return "".join(out)


def case_env(case_toml):
    env, in_env = {}, False
    for line in open(case_toml, encoding="utf-8"):
        line = line.strip()
        if line.startswith("["):
            in_env = line == "[env]"
        elif in_env and "=" in line:
            k, v = line.split("=", 1)
            env[k.strip()] = v.strip().strip('"')
    return env


def main():
    fixtures = sorted(glob.glob(os.path.join(REPO, "tests/fixtures/*/case.toml")))
    for case in fixtures:
        name = os.path.basename(os.path.dirname(case))
        root = os.path.join(os.path.dirname(case), "root")
        if os.path.isdir(root):
            put("snapshot_tree", name, tree(root, case_env(case)))
        conf = os.path.join(root, "etc")
        if os.path.exists(os.path.join(conf, "ld.so.conf")):
            put("ldconf", name, tree(conf).replace("=== ", "=== etc/"))
        for cache in glob.glob(os.path.join(root, "etc/ld.so.cache")):
            put("ldcache", name, open(cache, "rb").read())
    put("ldcache", "h100", open(os.path.join(REPO, "tests/data/h100-ld.so.cache"), "rb").read())
    k2 = open(os.path.join(REPO, "tests/data/k2.nv_fatbin"), "rb").read()
    put("fatbin", "k2", k2)
    # A data section as scan_fatbins searches it: bytes before, a stray magic, a cut-off container, the real ones.
    magic = bytes.fromhex("50ed55ba")
    put("fatbin", "k2-in-data", b"\x11" * 13 + magic + b"\x01\x00\x10\x00" + b"\xff" * 8 + k2[:40] + b"\x00" * 3 + k2 + magic)

    # ELF files: small shared objects and executables of this machine and the test doubles.
    with tempfile.TemporaryDirectory() as tmp:
        for src in glob.glob(os.path.join(REPO, "tests/fake/*.c")):
            out = os.path.join(tmp, os.path.basename(src) + ".so")
            k2_define = '-DGPUENV_K2_FATBIN="' + os.path.join(REPO, "tests/data/k2.nv_fatbin") + '"'
            if subprocess.call(["cc", "-shared", "-fPIC", "-s", "-O1", k2_define, "-Wl,-rpath,$ORIGIN/../lib", src, "-o", out],
                               stderr=subprocess.DEVNULL) == 0:
                put("elf_reader", os.path.basename(out), open(out, "rb").read())
    for lib in ["/usr/lib/x86_64-linux-gnu/libdl.so.2", "/usr/lib/x86_64-linux-gnu/libpthread.so.0"]:
        if os.path.exists(lib):
            put("elf_reader", os.path.basename(lib), open(lib, "rb").read())

    snapshots = sorted(glob.glob(os.path.join(REPO, "tests/snapshots/*.json")))
    for s in snapshots:
        name = os.path.basename(s)
        text = open(s, encoding="utf-8").read()
        put("doctor_json", name, text)
        doc = {"schema_version": 1, "tool": "gpuenv", "tool_version": "0.1.0", "verdict": "ready",
               "summary": {"errors": 0, "warnings": 0, "infos": 0},
               "findings": [{"id": "library.driver-too-old", "severity": "error", "title": "t", "subject": "s"}],
               "snapshot": json.loads(text)}
        put("fleet_node", name, json.dumps(doc, indent=1))
        snap = json.loads(text)
        for it in snap.get("python", {}).get("interpreters", []):
            for d in it.get("distributions", [])[:2]:
                put("python_metadata", d.get("name", "x"),
                    f"Metadata-Version: 2.1\nName: {d.get('name')}\nVersion: {d.get('version')}\n"
                    + "".join(f"Requires-Dist: {r}\n" for r in d.get("requires_dist", [])))

    # RECORD files (CSV): a wheel's rows, quoting with commas, doubled quotes, CRLF and a line break, bad sizes.
    put("record", "wheel", "nvidia/cudnn/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n"
        "nvidia/cudnn/lib/libcudnn.so.9,sha256=AbCdEf0123456789AbCdEf0123456789AbCdEf01234,123456\n"
        "nvidia_cudnn_cu13-9.19.0.56.dist-info/INSTALLER,,\nnvidia_cudnn_cu13-9.19.0.56.dist-info/RECORD,,\n")
    put("record", "quoted-crlf", '"dir,with,commas/file.py",sha256=x,12\r\n"say ""hi"".txt",,3\r\n"multi\nline",,1\r\n'
        "\r\n../../../bin/torchrun,sha256=y,240\n")
    put("record", "unclosed", 'a.py,sha256=x,notanumber\n"unclosed,sha256=y,1\n')
    put("record", "odd-quotes", 'x"y",,5\n"a"b,,6\nonlypath\n,,\n')

    for spec in glob.glob(os.path.join(REPO, "tests/**/gpuenv.toml"), recursive=True):
        put("spec", os.path.relpath(spec, REPO), open(spec, "rb").read())
    # Spec examples in the documentation (```toml blocks).
    for md in glob.glob(os.path.join(REPO, "docs/*.md")) + [os.path.join(REPO, "README.md")]:
        for i, block in enumerate(re.findall(r"```toml\n(.*?)```", open(md, encoding="utf-8").read(), re.S)):
            put("spec", f"{os.path.basename(md)}-{i}", block)
            if block.lstrip().startswith("#") and "[machine]" in block:
                put("lock", f"{os.path.basename(md)}-{i}", block)

    # flake.lock files (nix nixpkgs_branch_of_lock): the lock JSON in the Nix tests.
    for t in [os.path.join(REPO, "tests/unit/nix_test.cpp"), os.path.join(REPO, "tests/e2e/nix_test.cpp")]:
        for i, lit in enumerate(re.findall(r'R"\((\{.*?)\)"', open(t, encoding="utf-8").read(), re.S)):
            put("flake_lock", f"{os.path.basename(os.path.dirname(t))}-{os.path.basename(t)}-{i}", lit)

    # Log lines for the explain matcher: the string literals of the explain tests.
    for t in [os.path.join(REPO, "tests/unit/explain_test.cpp"), os.path.join(REPO, "tests/e2e/explain_e2e_test.cpp")]:
        lits = re.findall(r'"((?:[^"\\]|\\.){30,})"', open(t, encoding="utf-8").read())
        for i, lit in enumerate(x for x in lits if re.search(r"(?i)error|cuda|nccl|cudnn|fail|lib", x)):
            put("explain", f"{os.path.basename(t)}-{i}", lit.encode().decode("unicode_escape", "replace"))


    # Python installations (python_tree): a venv over a system Python with torch, TensorFlow and .pth files.
    site = "venv/lib/python3.12/site-packages"
    venv = {
        ".fuzz-env": "PATH=/venv/bin:/usr/bin\nVIRTUAL_ENV=/venv\nPWD=/work\n",
        "venv/pyvenv.cfg": "home = /usr/bin\ninclude-system-site-packages = true\nversion = 3.12.3\n",
        "venv/bin/python -> python3.12": None,
        "venv/bin/python3.12": "",
        "usr/bin/python3 -> python3.12": None,
        "usr/bin/python3.12": "",
        "usr/lib/python3.12/os.py": "",
        "usr/lib/python3/dist-packages/numpy/__init__.py": "",
        "usr/lib/python3/dist-packages/numpy-1.26.4.dist-info/METADATA": "Metadata-Version: 2.1\nName: numpy\nVersion: 1.26.4\n",
        f"{site}/extra.pth": "/opt/extra\nimport site_hook\n../rel\n",
        f"{site}/._hidden.pth": "/opt/hidden\n",
        f"{site}/torch/version.py": "__version__ = '2.7.1+cu128'\ncuda = '12.8'\nhip = None\n",
        f"{site}/torch/__init__.py": "",
        f"{site}/torch-2.7.1+cu128.dist-info/METADATA":
            "Metadata-Version: 2.1\nName: torch\nVersion: 2.7.1+cu128\nRequires-Dist: nvidia-cudnn-cu12==9.7.1.26; platform_system == \"Linux\"\n",
        f"{site}/torch-2.7.1+cu128.dist-info/RECORD": "torch/__init__.py,sha256=abc,10\ntorch/version.py,,\n",
        f"{site}/torch-2.7.1+cu128.dist-info/INSTALLER": "uv\n",
        f"{site}/tensorflow/python/platform/build_info.py":
            "build_info = {'is_cuda_build': True}\nis_cuda_build = True\ncuda_version = '12.5.1'\ncudnn_version = '9'\n"
            "cuda_compute_capabilities = ['sm_60', 'sm_70', 'sm_80', 'sm_89', 'compute_90']\n",
        f"{site}/tensorflow-2.19.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: tensorflow\nVersion: 2.19.0\n",
        f"{site}/nvidia_cudnn_cu12-9.7.1.26.dist-info/METADATA": "Metadata-Version: 2.1\nName: nvidia-cudnn-cu12\nVersion: 9.7.1.26\n",
        f"{site}/jax/version.py": "_version = '0.6.0'\n",
        f"{site}/jax-0.6.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: jax\nVersion: 0.6.0\n",
        f"{site}/cupy/_version.py": "__version__ = '13.4.0'\n",
        f"{site}/cupy_cuda12x-13.4.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: cupy-cuda12x\nVersion: 13.4.0\n",
    }
    text = "".join(f"=== {k}\n" + (v if v and v.endswith("\n") else (v or "")) for k, v in venv.items())
    put("python_tree", "venv-torch-tf", text)
    put("snapshot_tree", "venv-torch-tf", text)
    conda = {k.replace("venv/", "opt/conda/").replace("opt/conda/pyvenv.cfg", "opt/conda/conda-meta/history"): v
             for k, v in venv.items()}
    conda[".fuzz-env"] = "PATH=/opt/conda/bin:/usr/bin\nCONDA_PREFIX=/opt/conda\nPYTHONPATH=/opt/extra:/work/src\n"
    put("python_tree", "conda", "".join(f"=== {k}\n" + (v or "") for k, v in conda.items()))

    # Variable values for the variable grammar (variables.toml): valid ones and the usual slips.
    for name, value in {
            "alloc-ok": "expandable_segments:True,max_split_size_mb:512",
            "alloc-lower-true": "expandable_segments:true",
            "alloc-equals": "max_split_size_mb=128",
            "alloc-roundup-list": "roundup_power2_divisions:[256:1,512:2,>:4],garbage_collection_threshold:0.6",
            "alloc-roundup-unclosed": "roundup_power2_divisions:[256:1,512:2",
            "alloc-backend": "backend:cudaMallocAsync, pinned_num_register_threads:8",
            "alloc-reserve": "expandable_segments_reserve_by_class:[a:0.5,b:40G],expandable_segments_reserve:2g",
            "alloc-dangling": "max_split_size_mb:,:,[]",
            "jax-platforms": "cuda,cpu", "jax-cpu": "cpu", "spaces-list": "cub, cutensor", "fraction": ".75",
            "percent": "80%", "bytes": "17179869184", "ifname-exclude": "^docker,lo", "ifname-exact": "=eno1,ib",
            "uuids": "GPU-429e,MIG-1234,0,1", "void": "void", "empty": ""}.items():
        put("variable_grammar", name, value)


if __name__ == "__main__":
    main()
