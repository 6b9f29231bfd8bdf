"""The UNet example's data side, without torch: a downloaded dataset version's images and masks as
arrays, preprocessed exactly as Caliper's evaluation gate preprocesses them (so a model registered
from this run is scored on the inputs it was trained on), and the Dice score.

- DICOM slices are read with pydicom (Debian's python3-pydicom; uncompressed transfer syntaxes, or
  whatever pixel handlers the machine has) and turned into modality values (Hounsfield units for CT)
  with RescaleSlope / RescaleIntercept.
- PNG masks are decoded here with zlib (any colour type, bit depths 1-16, not interlaced; the first
  channel, 16-bit samples by their high byte), as the evaluation decodes them: no Pillow needed.
- Preprocessing: the CT window to [0, 1] (values outside clamp), then a bilinear resize with pixel
  centres at +0.5; masks are resampled by nearest neighbour and made binary (any label > 0).
"""

import csv
import os
import struct
import zlib

import numpy as np

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class DataError(Exception):
    """A file of the dataset that cannot be used; the message names it and says why."""


def decode_png_mask(data, name="mask"):
    """A PNG's first channel (grey, red or the palette index) as a uint8 array [height, width]."""
    if not data.startswith(PNG_SIGNATURE):
        raise DataError("%s is not a PNG (no PNG signature)" % name)
    pos, header, idat, ended = 8, None, [], False
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) < length:
            raise DataError("%s is cut short inside its %s chunk" % (name, kind.decode("latin1")))
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body[:13])
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            ended = True
            break
        pos += 12 + length
    if not ended or header is None:
        raise DataError("%s is cut short: no IHDR or no IEND chunk" % name)
    width, height, depth, colour, _, _, interlace = header
    channels = _CHANNELS.get(colour)
    if not width or not height or channels is None or depth not in (1, 2, 4, 8, 16):
        raise DataError("%s has an invalid PNG header (%dx%d, colour type %d, bit depth %d)" % (name, width, height, colour, depth))
    if interlace:
        raise DataError("%s is an interlaced PNG; save the mask without interlacing" % name)
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as err:
        raise DataError("%s's image data does not inflate: %s" % (name, err)) from None
    bpp = max(1, channels * depth // 8)
    stride = (width * channels * depth + 7) // 8
    if len(raw) < height * (stride + 1):
        raise DataError("%s holds %d bytes of image data, fewer than %dx%d pixels need" % (name, len(raw), width, height))
    rows = np.frombuffer(raw, dtype=np.uint8, count=height * (stride + 1)).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        out[y] = prev = _unfilter(int(rows[y, 0]), rows[y, 1:], prev, bpp, name, y)
    if depth == 8:
        return out.reshape(height, width, channels)[:, :, 0].copy()
    if depth == 16:
        return out.reshape(height, width, channels, 2)[:, :, 0, 0].copy()
    # 1, 2 or 4 bits per sample, one channel (grey or palette): several pixels per byte, high bits first.
    x = np.arange(width)
    bit = x * depth
    shift = (8 - depth - bit % 8).astype(np.uint8)
    return ((out[:, bit // 8] >> shift) & ((1 << depth) - 1)).astype(np.uint8)


def _unfilter(kind, line, prev, bpp, name, y):
    """One scanline with its PNG filter (None, Sub, Up, Average, Paeth) undone, bytes modulo 256."""
    if kind == 0:
        return line.copy()
    if kind == 2:
        return (line.astype(np.uint16) + prev).astype(np.uint8)
    if kind == 1:
        out = line.astype(np.int64)
        for k in range(bpp):
            out[k::bpp] = np.cumsum(out[k::bpp]) % 256
        return out.astype(np.uint8)
    if kind not in (3, 4):
        raise DataError("%s has an invalid PNG filter type %d on row %d" % (name, kind, y))
    out = bytearray(len(line))
    src, up = line.tobytes(), prev.tobytes()
    for i in range(len(src)):
        a = out[i - bpp] if i >= bpp else 0
        b = up[i]
        if kind == 3:
            out[i] = (src[i] + ((a + b) >> 1)) & 0xFF
        else:
            c = up[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            out[i] = (src[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
    return np.frombuffer(bytes(out), dtype=np.uint8)


def read_dicom_values(path):
    """A DICOM slice's modality values (HU for CT) as float32 [rows, columns]."""
    import pydicom  # Debian's python3-pydicom; imported here so the rest works without it

    try:
        ds = pydicom.dcmread(path)
        pixels = ds.pixel_array
    except Exception as err:  # noqa: BLE001 - pydicom raises many kinds; the message says which file
        raise DataError("%s cannot be read as a DICOM image: %s" % (path, err)) from None
    if pixels.ndim != 2:
        raise DataError("%s is not a single greyscale slice (pixel array of shape %s)" % (path, pixels.shape))
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
    return pixels.astype(np.float32) * slope + intercept


def window(values, center, width):
    """Values through a window to [0, 1]: center - width/2 → 0, center + width/2 → 1, clamped."""
    if width <= 0:
        raise ValueError("window width must be positive, got %r" % (width,))
    return np.clip((values - (center - width / 2.0)) / width, 0.0, 1.0).astype(np.float32)


def resize_bilinear(image, size):
    """[h, w] float → [size, size], bilinear with pixel centres at +0.5 and edges clamped."""
    h, w = image.shape
    if (h, w) == (size, size):
        return image.astype(np.float32)

    def axis(n_in):
        f = np.clip((np.arange(size) + 0.5) * (n_in / size) - 0.5, 0, n_in - 1)
        lo = np.floor(f).astype(np.int64)
        return lo, np.minimum(lo + 1, n_in - 1), (f - lo).astype(np.float32)

    y0, y1, wy = axis(h)
    x0, x1, wx = axis(w)
    top = image[y0][:, x0] * (1 - wx) + image[y0][:, x1] * wx
    bottom = image[y1][:, x0] * (1 - wx) + image[y1][:, x1] * wx
    return (top * (1 - wy)[:, None] + bottom * wy[:, None]).astype(np.float32)


def resample_nearest(labels, size):
    """[h, w] label map → [size, size] by nearest neighbour (labels are never blended)."""
    h, w = labels.shape
    ys = np.minimum(((np.arange(size) + 0.5) * h / size).astype(np.int64), h - 1)
    xs = np.minimum(((np.arange(size) + 0.5) * w / size).astype(np.int64), w - 1)
    return labels[ys][:, xs]


def dice(pred, truth):
    """Dice of two binary arrays, 2|P∩T| / (|P| + |T|); 1.0 when both are empty."""
    pred, truth = np.asarray(pred, dtype=bool), np.asarray(truth, dtype=bool)
    total = int(pred.sum()) + int(truth.sum())
    return 1.0 if total == 0 else 2.0 * float(np.logical_and(pred, truth).sum()) / total


def split_items(data_dir, split):
    """[(image path, mask path)] of one split from the labels.csv the client wrote; items without a mask are left out."""
    listing = os.path.join(data_dir, "labels.csv")
    if not os.path.exists(listing):
        raise DataError("%s is missing: download the dataset version first" % listing)
    with open(listing, newline="") as f:
        rows = list(csv.DictReader(f))
    if rows and "mask_file" not in rows[0]:
        raise DataError("%s has no mask_file column: download with a client that fetches masks (tools/python/caliper_client.py)" % listing)
    return [(os.path.join(data_dir, r["file"]), os.path.join(data_dir, r["mask_file"]))
            for r in rows if r["split"] == split and r["mask_file"]]


def load_split(data_dir, split, size, center, width):
    """(images float32 [N, 1, size, size] in [0, 1], masks uint8 [N, size, size] of 0/1) of one split."""
    images, masks = [], []
    for image_path, mask_path in split_items(data_dir, split):
        values = read_dicom_values(image_path)
        with open(mask_path, "rb") as f:
            mask = decode_png_mask(f.read(), mask_path) if mask_path.endswith(".png") else None
        if mask is None:
            raise DataError("%s: this example reads PNG masks only" % mask_path)
        if mask.shape != values.shape:
            raise DataError("%s is %dx%d, but its image is %dx%d" % (mask_path, mask.shape[1], mask.shape[0], values.shape[1], values.shape[0]))
        images.append(resize_bilinear(window(values, center, width), size)[None])
        masks.append((resample_nearest(mask, size) > 0).astype(np.uint8))
    if not images:
        return np.zeros((0, 1, size, size), np.float32), np.zeros((0, size, size), np.uint8)
    return np.stack(images), np.stack(masks)
