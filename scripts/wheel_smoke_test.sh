#!/usr/bin/env bash
# The wheel installs and works where Debian's OpenCV is not: a fresh venv gets the wheel (and numpy),
# then, in a private mount namespace with every libopencv_* of the system bound over by an empty
# file, a sample runs through a pipeline using the OpenCV modules the core links (imgproc warps,
# imgcodecs' JPEG for ImageCompression, photo's inpainting), and the OpenCV the process mapped is
# checked to be the wheel's own copy.
set -euo pipefail
wheel="$1"
venv="build/wheel-venv"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q "$wheel"
cat > build/wheel_smoke.py <<'PY'
import numpy as np

import instaug as A

rng = np.random.default_rng(0)
image = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
mask = np.zeros((120, 160), np.uint8)
mask[20:70, 30:90] = 1
compose = A.Compose(
    [
        A.Affine(rotate=(-20, 20), p=1),
        A.ImageCompression(quality_range=(40, 60), p=1),
        A.CoarseDropout(fill="inpaint_telea", p=1),
        A.LetterBox(size=(64, 64)),
    ],
    bbox_params=A.BboxParams("pascal_voc", label_fields=["labels"]),
    instance_binding=["masks", "bboxes"],
    save_geometry=True,
    seed=1,
)
out = compose(image=image, instances=[{"mask": mask, "bbox": [30, 20, 90, 70], "bbox_labels": {"labels": 1}}])
assert out["image"].shape == (64, 64, 3) and out["geometry"].output_shape == (64, 64)
maps = [line.split()[-1] for line in open("/proc/self/maps") if "libopencv" in line]
assert maps, "no OpenCV library is mapped"
foreign = sorted({m for m in maps if "instaug.libs" not in m})
assert not foreign, f"OpenCV loaded from outside the wheel: {foreign}"
print(f"wheel smoke test passed: instaug {A.__version__}, OpenCV from {sorted(set(maps))[0].rsplit('/', 1)[0]}")
PY
if ! unshare --mount true 2>/dev/null; then
  # Without the right to make a mount namespace the system OpenCV cannot be hidden; the run still
  # fails unless every OpenCV library the process maps is the wheel's own copy.
  echo "*** wheel smoke test: no private mount namespace here (unshare needs root / CAP_SYS_ADMIN):" \
    "the system OpenCV stays visible, and the test checks only which copy gets loaded ***" >&2
  cd build && exec "../$venv/bin/python" wheel_smoke.py
fi
unshare --mount bash -c '
  for lib in /usr/lib/*-linux-gnu/libopencv_* /usr/lib/libopencv_* /usr/local/lib/libopencv_*; do
    [ -e "$lib" ] && mount --bind /dev/null "$lib"
  done
  if python3 -c "import ctypes; ctypes.CDLL(\"libopencv_core.so.406\")" 2>/dev/null; then
    echo "the system OpenCV is still loadable: the test would prove nothing" >&2; exit 1
  fi
  cd build && ../'"$venv"'/bin/python wheel_smoke.py'
