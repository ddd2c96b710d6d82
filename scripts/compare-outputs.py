#!/usr/bin/env python3
"""Compares what two gpuenv binaries print on every fixture machine and every replayed snapshot.

    scripts/compare-outputs.py OLD_GPUENV NEW_GPUENV BUILD_DIR [--keep DIR]

BUILD_DIR is a test build of either tree (it holds the fake libcuda/NVML and the fake Nix CUDA program the
fixtures use). For each fixture (tests/fixtures/*/case.toml) both binaries run `doctor` in text (NO_COLOR) and
`doctor --json` under the same environment and the same paths; for each snapshot (tests/snapshots/*.json)
`doctor --from` in text, JSON and Markdown. Outputs must be byte-identical, except the fields that measure time
(`elapsed_ms`, `duration_ms`, `snapshot.created`, and "N ms" and ISO times in text), which are blanked in both. Exit 0 when all agree.
Used for refactorings that must not change what the tool says (issue 13).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent
TIME_KEYS = {"elapsed_ms", "duration_ms", "created"}


def blank_times(text):
    # Times in text reports: "17 ms", "waited 5012 ms", "created 2026-12-02T22:05:19Z".
    text = re.sub(r"\b\d+(\.\d+)? ms\b", "N ms", text)
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "TIME", text)
    try:
        doc = json.loads(text)
    except ValueError:
        return re.sub(r'"(elapsed_ms|duration_ms)": [0-9.e+-]+', r'"\1": 0', text)

    def walk(v):
        if isinstance(v, dict):
            return {k: (0 if k in TIME_KEYS else walk(x)) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    return json.dumps(walk(doc), indent=1, sort_keys=False)


def base_env():
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", "NO_COLOR": "1"}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    return env


def run(argv, env):
    r = subprocess.run(argv, env=env, capture_output=True, timeout=120)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def fixture_runs(build, work):
    fake_cuda = str(build / "fake/libcuda.so.1")
    fake_nvml = str(build / "fake/libnvidia-ml.so.1")
    fake_app = str(build / "fake/app/saxpy")
    for case in sorted((SRC / "tests/fixtures").glob("*/case.toml")):
        d = case.parent
        tbl = tomllib.loads(case.read_text())
        tmp = work / d.name
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        root = d / "root"
        if "files" in tbl:
            copy = tmp / "root"
            shutil.copytree(root, copy, symlinks=True)
            for rel, frm in tbl["files"].items():
                frm = {"@FAKE_NIX_CUDA_APP@": fake_app, "@FAKE_LIBCUDA@": fake_cuda}.get(frm, frm)
                dst = copy / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(frm, dst)
            root = copy
        subst = {"@ROOT@": str(root), "@SOURCE@": str(SRC), "@TMP@": str(tmp),
                 "@FAKE_LIBCUDA@": fake_cuda, "@FAKE_LIBNVML@": fake_nvml}

        def sub(v):
            for k, x in subst.items():
                v = v.replace(k, x)
            return v

        env = base_env()
        drv = tbl.get("driver", {})
        mode = drv.get("mode", "fake")

        def place(key, fake):
            rel = drv.get(key)
            if not rel:
                return fake
            p = tmp / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(fake, p)
            return str(p)

        if mode == "fake":
            env["GPUENV_LIBCUDA"] = place("libcuda_as", fake_cuda)
            env["GPUENV_LIBNVML"] = place("libnvml_as", fake_nvml)
        elif mode == "missing":
            env["GPUENV_LIBCUDA"] = "libcuda-gpuenv-test-absent.so.1"
            env["GPUENV_LIBNVML"] = "libnvidia-ml-gpuenv-test-absent.so.1"
        for k, v in tbl.get("env", {}).items():
            env[k] = sub(v)
        args = [sub(a) for a in tbl.get("args", ["doctor", "--json"])]
        extra = ["--root", str(root)] + (["--no-driver"] if mode == "none" else [])
        text_args = [a for a in args if a != "--json"]
        yield f"fixture {d.name} (json)", args + extra, env
        yield f"fixture {d.name} (text)", text_args + extra, env
        yield f"fixture {d.name} (text -vv)", text_args + extra + ["-vv"], env
        yield f"fixture {d.name} (markdown)", text_args + extra + ["--markdown"], env


def snapshot_runs():
    for snap in sorted((SRC / "tests/snapshots").glob("*.json")):
        for fmt in ([], ["--json"], ["--markdown"], ["-vv"]):
            yield f"snapshot {snap.name} {' '.join(fmt) or '(text)'}", ["doctor", "--from", str(snap)] + fmt, base_env()


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    old, new, build = sys.argv[1], sys.argv[2], Path(sys.argv[3]).resolve()
    keep = Path(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[4] == "--keep" else None
    work = Path("/tmp/gpuenv-compare")
    same = differ = 0
    for name, args, env in list(fixture_runs(build, work)) + list(snapshot_runs()):
        rc_old, out_old = run([old] + args, env)
        rc_new, out_new = run([new] + args, env)
        a, b = blank_times(out_old), blank_times(out_new)
        if rc_old == rc_new and a == b:
            same += 1
            continue
        differ += 1
        print(f"DIFFERS: {name}: exit {rc_old} -> {rc_new}")
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
            (keep / f"{stem}.old").write_text(a)
            (keep / f"{stem}.new").write_text(b)
    print(f"{same} identical, {differ} different")
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
