"""Unit tests of the UNet example's data side (no torch, no server): PNG masks of every filter type,
colour type and bit depth the evaluation reads; windowing, resizing and resampling as the
evaluation gate does them; Dice; a split's items from labels.csv.

    /usr/bin/python3 -m unittest discover -s tools/examples/unet2d -p 'test_*.py'
"""

import os
import struct
import sys
import tempfile
import unittest
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import unet2d_data as d  # noqa: E402


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _filter(kind, line, prev, bpp):
    """Encodes one scanline with a PNG filter (the inverse of what the decoder undoes)."""
    out = bytearray(len(line))
    for i in range(len(line)):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if kind == 0:
            pred = 0
        elif kind == 1:
            pred = a
        elif kind == 2:
            pred = b
        elif kind == 3:
            pred = (a + b) >> 1
        else:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
        out[i] = (line[i] - pred) & 0xFF
    return bytes(out)


def png(rows, colour=0, depth=8, filters=(0,), interlace=0):
    """A PNG of raw scanlines (bytes each), row y filtered with filters[y % len(filters)]."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour]
    bpp = max(1, channels * depth // 8)
    width = len(rows[0]) * 8 // (channels * depth)
    raw, prev = b"", bytes(len(rows[0]))
    for y, line in enumerate(rows):
        kind = filters[y % len(filters)]
        raw += bytes([kind]) + _filter(kind, line, prev, bpp)
        prev = line
    header = struct.pack(">IIBBBBB", width, len(rows), depth, colour, 0, 0, interlace)
    return d.PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")


class PngMasks(unittest.TestCase):
    GREY = np.array([[0, 1, 1, 0, 255], [3, 0, 200, 7, 1], [9, 8, 7, 6, 5], [0, 0, 0, 0, 250]], dtype=np.uint8)

    def test_every_filter_type_round_trips(self):
        rows = [bytes(r) for r in self.GREY]
        for filters in ((0,), (1,), (2,), (3,), (4,), (0, 1, 2, 3, 4), (4, 3, 2, 1)):
            with self.subTest(filters=filters):
                np.testing.assert_array_equal(d.decode_png_mask(png(rows, filters=filters)), self.GREY)

    def test_first_channel_of_rgb_and_rgba_with_multi_byte_pixels(self):
        rgb = [bytes(v for x in r for v in (x, 255 - x, 9)) for r in self.GREY]
        rgba = [bytes(v for x in r for v in (x, 1, 2, 255)) for r in self.GREY]
        for rows, colour in ((rgb, 2), (rgba, 6)):
            for kind in (1, 3, 4):
                with self.subTest(colour=colour, filter=kind):
                    np.testing.assert_array_equal(d.decode_png_mask(png(rows, colour=colour, filters=(kind,))), self.GREY)

    def test_sixteen_bit_samples_keep_their_high_byte(self):
        rows = [b"".join(struct.pack(">H", int(x) * 256 + 17) for x in r) for r in self.GREY]
        np.testing.assert_array_equal(d.decode_png_mask(png(rows, depth=16, filters=(4,))), self.GREY)

    def test_sub_byte_depths(self):
        one_bit = [bytes([0b10110000]), bytes([0b01001000])]  # 5 pixels a row: 1 0 1 1 0 / 0 1 0 0 1
        got = d.decode_png_mask(png(one_bit, depth=1))
        np.testing.assert_array_equal(got[:, :5], [[1, 0, 1, 1, 0], [0, 1, 0, 0, 1]])
        four_bit = [bytes([0x3A, 0xF0])]  # 3, 10, 15, 0
        np.testing.assert_array_equal(d.decode_png_mask(png(four_bit, depth=4))[0, :3], [3, 10, 15])

    def test_refusals_name_the_file_and_the_reason(self):
        good = png([bytes(r) for r in self.GREY])
        cases = [
            (b"GIF89a" + good[6:], "is not a PNG"),
            (good[:-12], "cut short"),
            (png([bytes(r) for r in self.GREY], interlace=1), "interlaced"),
            (good[:33] + _chunk(b"IDAT", b"not zlib") + _chunk(b"IEND", b""), "does not inflate"),  # signature and IHDR kept
            (d.PNG_SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 3, 0, 0, 0, 0)) + _chunk(b"IEND", b""), "invalid PNG header"),
        ]
        for data, reason in cases:
            with self.subTest(reason=reason):
                with self.assertRaisesRegex(d.DataError, r"^m7\.png\b.*%s" % reason):
                    d.decode_png_mask(data, "m7.png")
        bad_filter = d.PNG_SIGNATURE + _chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 8, 0, 0, 0, 0)) + \
            _chunk(b"IDAT", zlib.compress(bytes([9, 1, 2]))) + _chunk(b"IEND", b"")
        with self.assertRaisesRegex(d.DataError, "invalid PNG filter type 9 on row 0"):
            d.decode_png_mask(bad_filter, "m7.png")


class Preprocessing(unittest.TestCase):
    def test_window_maps_the_range_to_unit_and_clamps(self):
        hu = np.array([[-1000.0, -160.0, 40.0, 240.0, 3000.0]])
        np.testing.assert_allclose(d.window(hu, 40, 400), [[0.0, 0.0, 0.5, 1.0, 1.0]])
        with self.assertRaises(ValueError):
            d.window(hu, 40, 0)

    def test_bilinear_resize_uses_pixel_centres_as_the_evaluation_does(self):
        image = np.array([[0.0, 1.0], [2.0, 3.0]], dtype=np.float32)
        np.testing.assert_array_equal(d.resize_bilinear(image, 2), image)
        up = d.resize_bilinear(image, 4)
        # Output pixel x samples the input at (x + 0.5) / 2 - 0.5: -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
        np.testing.assert_allclose(up[0], [0.0, 0.25, 0.75, 1.0])
        np.testing.assert_allclose(up[:, 0], [0.0, 0.5, 1.5, 2.0])
        big = np.arange(16, dtype=np.float32).reshape(4, 4)
        np.testing.assert_allclose(d.resize_bilinear(big, 2), [[2.5, 4.5], [10.5, 12.5]])

    def test_nearest_resampling_never_blends_labels(self):
        labels = np.array([[0, 1], [2, 3]], dtype=np.uint8)
        np.testing.assert_array_equal(d.resample_nearest(labels, 4), [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]])
        big = np.arange(16, dtype=np.uint8).reshape(4, 4)
        np.testing.assert_array_equal(d.resample_nearest(big, 2), [[5, 7], [13, 15]])


class Dice(unittest.TestCase):
    def test_overlap_and_the_empty_case(self):
        self.assertEqual(d.dice([[1, 1], [0, 0]], [[1, 0], [0, 0]]), 2 * 1 / 3)
        self.assertEqual(d.dice([[1, 1]], [[1, 1]]), 1.0)
        self.assertEqual(d.dice([[0, 0]], [[1, 1]]), 0.0)
        self.assertEqual(d.dice([[0, 0]], [[0, 0]]), 1.0)


class Splits(unittest.TestCase):
    def test_items_of_a_split_with_masks_from_labels_csv(self):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "labels.csv"), "w") as f:
                f.write("item_key,split,label,study_instance_uid,series_instance_uid,sop_instance_uid,mask,file,mask_file\n"
                        "a,train,,1,2,3,k1,train/a.dcm,train/a.mask.png\n"
                        "b,train,,1,2,4,,train/b.dcm,\n"
                        "c,val,,1,2,5,k2,val/c.dcm,val/c.mask.png\n")
            self.assertEqual(d.split_items(tmp, "train"), [(os.path.join(tmp, "train/a.dcm"), os.path.join(tmp, "train/a.mask.png"))])
            self.assertEqual(len(d.split_items(tmp, "val")), 1)
            self.assertEqual(d.split_items(tmp, "test"), [])

    def test_a_download_without_masks_or_none_at_all_is_named(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaisesRegex(d.DataError, "labels.csv is missing"):
                d.split_items(tmp, "train")
            with open(os.path.join(tmp, "labels.csv"), "w") as f:
                f.write("item_key,split,label,study_instance_uid,series_instance_uid,sop_instance_uid,mask\na,train,,1,2,3,\n")
            with self.assertRaisesRegex(d.DataError, "no mask_file column"):
                d.split_items(tmp, "train")


if __name__ == "__main__":
    unittest.main()
