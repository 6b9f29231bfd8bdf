#!/usr/bin/python3
"""Tiny real ONNX models for the registry's validation tests (issue 14).

Exports, with PyTorch (Debian's python3-torch) at opset 17, two untrained nets with fixed seeds:

- seg2d.onnx: a 2D segmentation net, input "image" float32 [N,1,64,64] -> output "logits"
  float32 [N,2,64,64] (background / lesion), the batch dimension dynamic.
- classifier.onnx: a classifier, input "image" float32 [1,1,64,64] -> output "logits" float32 [1,3].
- truncated.onnx: the first half of seg2d.onnx's bytes, a file onnxruntime cannot load.

Models whose outputs the evaluation tests can predict (fixed weights, no training):

- seg_threshold.onnx: input "image" [N,1,64,64] -> "logits" [N,2,64,64] with background logit 0 and
  lesion logit 40 * (x - 0.5): a pixel is lesion exactly when its preprocessed value is above 0.5.
- cls_mean.onnx: input "image" [N,1,64,64] -> "logits" [N,2] with logits 0 and 40 * (mean(x) - 0.5):
  an image is positive when its mean preprocessed value is above 0.5, and the positive probability
  rises with the mean (so the AUC over a test set is known).

And one sized so that inference is real work, for the evaluation benchmark:

- seg256.onnx: a small U-Net (16/32 channels), input "image" [N,1,256,256] -> "logits" [N,2,256,256].

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


class SegThreshold(nn.Module):
    """Lesion logit 40 * (x - 0.5), background logit 0: a 1x1 convolution with fixed weights."""

    def __init__(self):
        super().__init__()
        self.head = nn.Conv2d(1, 2, 1)
        with torch.no_grad():
            self.head.weight.copy_(torch.tensor([0.0, 40.0]).reshape(2, 1, 1, 1))
            self.head.bias.copy_(torch.tensor([0.0, -20.0]))

    def forward(self, x):
        return self.head(x)


class ClsMean(nn.Module):
    """Positive logit 40 * (mean(x) - 0.5), negative logit 0."""

    def __init__(self):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(1, 2)
        with torch.no_grad():
            self.fc.weight.copy_(torch.tensor([[0.0], [40.0]]))
            self.fc.bias.copy_(torch.tensor([0.0, -20.0]))

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(x), 1))


class Seg256(nn.Module):
    def __init__(self):
        super().__init__()
        block = lambda i, o: nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.ReLU(), nn.Conv2d(o, o, 3, padding=1), nn.ReLU())
        self.enc = block(1, 16)
        self.down = nn.MaxPool2d(2)
        self.mid = block(16, 32)
        self.up = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec = block(32, 16)
        self.head = nn.Conv2d(16, 2, 1)

    def forward(self, x):
        e = self.enc(x)
        u = self.up(self.mid(self.down(e)))
        return self.head(self.dec(torch.cat([e, u], dim=1)))


def export(model, path, dynamic_batch, size=64):
    model.eval()
    example = torch.zeros(1, 1, size, size, dtype=torch.float32)
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
    export(SegThreshold(), os.path.join(OUT, "seg_threshold.onnx"), dynamic_batch=True)
    export(ClsMean(), os.path.join(OUT, "cls_mean.onnx"), dynamic_batch=True)
    torch.manual_seed(16)
    export(Seg256(), os.path.join(OUT, "seg256.onnx"), dynamic_batch=True, size=256)
    try:
        import onnx

        for name in ("seg2d.onnx", "classifier.onnx", "seg_threshold.onnx", "cls_mean.onnx", "seg256.onnx"):
            m = onnx.load(os.path.join(OUT, name))
            onnx.checker.check_model(m)
            print(name, "opset", [o.version for o in m.opset_import], os.path.getsize(os.path.join(OUT, name)), "bytes")
    except ImportError:
        print("python3-onnx is not installed: the exported models were not checked", file=sys.stderr)


if __name__ == "__main__":
    main()
