"""Rebuild a wheel from an installed distribution, from the files its RECORD lists.

The GPU machine has no network: a fix that says "reinstall nvidia-cudnn-cu13==X" is applied with
`pip install --force-reinstall --no-deps --no-index --find-links DIR NAME==X`, DIR holding the wheel this script
wrote from the intact installation before the fault was built. Stored (not deflated) to be quick.
Usage: python mkwheel.py SITE_PACKAGES DIST_NAME OUT_DIR
"""
import csv
import os
import sys
import zipfile

site, name, out = sys.argv[1:4]
norm = name.lower().replace("-", "_")
infos = [d for d in os.listdir(site) if d.endswith(".dist-info") and d.lower().split("-")[0] == norm]
if not infos:
    sys.exit("no dist-info for " + name)
info = infos[0]
version = info[len(info.split("-")[0]) + 1:-len(".dist-info")]
wheel_tag = "py3-none-manylinux_2_27_x86_64"
for line in open(os.path.join(site, info, "WHEEL")):
    if line.startswith("Tag:"):
        wheel_tag = line.split(":", 1)[1].strip()
        break
path = os.path.join(out, "%s-%s-%s.whl" % (info.split("-")[0], version, wheel_tag))
with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
    for row in csv.reader(open(os.path.join(site, info, "RECORD"))):
        rel = row[0]
        full = os.path.normpath(os.path.join(site, rel))
        if os.path.isfile(full) and not rel.endswith(".pyc"):
            z.write(full, rel)
print(path)
