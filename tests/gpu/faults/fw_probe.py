"""What a framework really does on this machine: one line, exit 0 when it computed on the GPU.

Usage: python fw_probe.py torch|jax|cupy|nccl   (nccl: a one-rank NCCL all_reduce through torch.distributed)
Used by tests/gpu/faults/run.sh; the line is pasted into the issue notes as the ground truth.
"""
import sys


def first_line(e):
    text = str(e).strip()
    line = text.splitlines()[0] if text else ""
    return (type(e).__name__ + ": " + line)[:400]


def main(fw):
    if fw == "torch":
        import torch
        if not torch.cuda.is_available():
            print("torch: NO GPU (torch.cuda.is_available() is False; %s)" % torch.__version__)
            return 1
        x = torch.randn(4, 3, 16, 16, device="cuda")
        w = torch.randn(8, 3, 3, 3, device="cuda")
        torch.nn.functional.conv2d(x, w)  # cuDNN
        (x.flatten(1) @ x.flatten(1).T).sum().item()  # cuBLAS
        torch.cuda.synchronize()
        print("torch: OK %s on %s, cuDNN %s" % (torch.__version__, torch.cuda.get_device_name(0),
                                                torch.backends.cudnn.version()))
        return 0
    if fw == "jax":
        import jax
        import jax.numpy as jnp
        devices = jax.devices()
        float((jnp.ones((64, 64)) @ jnp.ones((64, 64))).sum())
        platform = devices[0].platform
        if platform != "gpu":
            print("jax: CPU ONLY %s (devices %s)" % (jax.__version__, devices))
            return 1
        print("jax: OK %s %s" % (jax.__version__, devices))
        return 0
    if fw == "cupy":
        import cupy
        float((cupy.ones((64, 64)) @ cupy.ones((64, 64))).sum())
        print("cupy: OK %s, %d device(s), runtime %s" % (cupy.__version__, cupy.cuda.runtime.getDeviceCount(),
                                                         cupy.cuda.runtime.runtimeGetVersion()))
        return 0
    if fw == "nccl":
        import os
        import torch
        import torch.distributed as dist
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", "29517")
        dist.init_process_group("nccl", rank=0, world_size=1, device_id=torch.device("cuda", 0))
        t = torch.ones(4, device="cuda")
        dist.all_reduce(t)
        torch.cuda.synchronize()
        dist.destroy_process_group()
        print("nccl: OK all_reduce on 1 rank, NCCL %s" % (".".join(map(str, torch.cuda.nccl.version()))))
        return 0
    print("unknown framework " + fw)
    return 2


if __name__ == "__main__":
    name = sys.argv[1]
    try:
        sys.exit(main(name))
    except BaseException as e:  # noqa: BLE001 - the point is to report any failure in one line
        if isinstance(e, SystemExit):
            raise
        print("%s: FAIL %s" % (name, first_line(e)))
        sys.exit(1)
