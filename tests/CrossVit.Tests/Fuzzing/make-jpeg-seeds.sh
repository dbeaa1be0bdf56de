#!/usr/bin/env bash
# Regenerates the small JPEG seeds of JpegSeeds.cs (libjpeg-turbo's cjpeg: apt-get install libjpeg-turbo-progs).
# One 37x23 synthetic image (odd sizes exercise partial MCUs) in the encoder settings the decoder must handle:
# baseline 4:2:0, 4:4:4 with a restart marker every MCU, 4:2:2 with optimized Huffman tables, grayscale,
# progressive 4:2:0 and progressive 4:4:4 with restarts. Prints the C# entries of JpegSeeds.All, then those of
# JpegSeeds.Decoded: libjpeg-turbo's djpeg output of each (gray replicated to RGB), which PIL's decoding equals.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/src.ppm" <<'PY'
import math, sys
w, h = 37, 23
with open(sys.argv[1], 'wb') as f:
    f.write(b'P6\n%d %d\n255\n' % (w, h))
    for y in range(h):
        for x in range(w):
            f.write(bytes([int(127 + 120 * math.sin(x / 5.0)), int(255 * y / (h - 1)), (x * y * 7) % 256]))
PY
cd "$work"
cjpeg -quality 85 -sample 2x2 src.ppm > base420.jpg
cjpeg -quality 90 -sample 1x1 -restart 1 src.ppm > base444_rst.jpg
cjpeg -quality 80 -sample 2x1 -optimize src.ppm > base422_opt.jpg
cjpeg -grayscale -quality 75 src.ppm > gray.jpg
cjpeg -progressive -quality 85 -sample 2x2 src.ppm > prog420.jpg
cjpeg -progressive -quality 85 -sample 1x1 -restart 2 src.ppm > prog444_rst.jpg
seeds="base420 base444_rst base422_opt gray prog420 prog444_rst"
for f in $seeds; do
  echo "        [\"$f.jpg\"] = \"$(base64 -w0 "$f.jpg")\","
done
for f in $seeds; do
  djpeg -pnm "$f.jpg" > "$f.pnm"
  echo "        [\"$f.jpg\"] = \"$(python3 - "$f.pnm" <<'PY'
import base64, sys
data = open(sys.argv[1], 'rb').read()
magic, width, height, maxval, pixels = data.split(maxsplit=4)
assert maxval == b'255' and len(pixels) == int(width) * int(height) * (3 if magic == b'P6' else 1)
print(base64.b64encode(pixels if magic == b'P6' else bytes(v for v in pixels for _ in range(3))).decode())
PY
)\","
done
