#!/usr/bin/python3
"""Tiny real ONNX models for the registry's validation tests (issue 14).

Exports, with PyTorch (Debian's python3-torch) at opset 17, two untrained nets with fixed seeds:

- seg2d.onnx: a 2D segmentation net, input "image" float32 [N,1,64,64] -> output "logits"
  float32 [N,2,64,64] (background / lesion), the batch dimension dynamic.
- classifier.onnx: a classifier, input "image" float32 [1,1,64,64] -> output "logits" float32 [1,3].
- truncated.onnx: the first half of seg2d.onnx's bytes, a file onnxruntime cannot load.

Regenerate (the .onnx files are committed next to this script):

    OMP_NUM_THREADS=2 /usr/bin/python3 tools/models/make_test_models.py   (Debian's Python, where python3-torch is)
"""
import os
import sys

import torch
from torch import nn

OPSET = 17
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "test-models")


class Seg2d(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1), nn.ReLU())
        self.down = nn.MaxPool2d(2)
        self.mid = nn.Sequential(nn.Conv2d(4, 8, 3, padding=1), nn.ReLU())
        self.up = nn.ConvTranspose2d(8, 4, 2, stride=2)
        self.head = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        e = self.enc(x)
        u = self.up(self.mid(self.down(e)))
        return self.head(torch.cat([e, u], dim=1))


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(4, 8, 3, stride=2, padding=1), nn.ReLU()
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


def export(model, path, dynamic_batch):
    model.eval()
    example = torch.zeros(1, 1, 64, 64, dtype=torch.float32)
    torch.onnx.export(
        model,
        example,
        path,
        opset_version=OPSET,
        input_names=["image"],
        output_names=["logits"],
        dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}} if dynamic_batch else None,
        do_constant_folding=True,
    )


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(14)
    seg = os.path.join(OUT, "seg2d.onnx")
    export(Seg2d(), seg, dynamic_batch=True)
    torch.manual_seed(15)
    export(Classifier(), os.path.join(OUT, "classifier.onnx"), dynamic_batch=False)
    with open(seg, "rb") as f:
        data = f.read()
    with open(os.path.join(OUT, "truncated.onnx"), "wb") as f:
        f.write(data[: len(data) // 2])
    try:
        import onnx

        for name in ("seg2d.onnx", "classifier.onnx"):
            m = onnx.load(os.path.join(OUT, name))
            onnx.checker.check_model(m)
            print(name, "opset", [o.version for o in m.opset_import], os.path.getsize(os.path.join(OUT, name)), "bytes")
    except ImportError:
        print("python3-onnx is not installed: the exported models were not checked", file=sys.stderr)


if __name__ == "__main__":
    main()
