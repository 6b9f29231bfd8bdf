#!/usr/bin/python3
"""A small 2D segmentation UNet trained on a Caliper dataset version, reporting to Caliper.

Launched from a run template (the web app's Launch, GraphQL launchRun, a sweep), it logs to the run
the launch made (CALIPER_RUN_ID, CALIPER_URL and the run's token CALIPER_TOKEN, set by the executor):

    /usr/bin/python3 train.py --epochs 20 --lr 0.001 --batch-size 8 --image-size 64

By hand, it creates a run in a project: add --project <slug> and --dataset-version <id>, with
CALIPER_URL and CALIPER_TOKEN set.

It downloads the dataset version's train and val splits (DICOM slices and PNG masks, every file
checked against the sealed manifest), trains a UNet (2 output channels: background, lesion) with
cross-entropy + soft Dice, logs its params, per-epoch train/loss, val/loss and val/dice, and system
metrics, then exports the model to ONNX (opset 17, input "image" [N, 1, S, S], output "logits"
[N, 2, S, S], the batch dynamic) and uploads it as the run's artifact model/model.onnx, with
model/spec.json (the preprocessing and labels to register it with). The run ends finished, or
failed (the process then exits 1) when anything goes wrong; killed on SIGTERM (scancel).

Needs PyTorch and pydicom from Debian (python3-torch, python3-pydicom), hence /usr/bin/python3.
"""

import argparse
import json
import os
import signal
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
# caliper_client.py beside this script (a copy on a cluster), else the checkout's tools/python.
sys.path[:0] = [HERE, os.path.join(HERE, "..", "..", "python")]
import caliper_client  # noqa: E402
import unet2d_data  # noqa: E402

EXPERIMENT = "unet2d-example"
LABELS = ["background", "lesion"]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Train a small 2D segmentation UNet on a Caliper dataset version.")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--image-size", type=int, default=64, help="images are resized to this many pixels a side (a multiple of 2^levels)")
    p.add_argument("--channels", type=int, default=8, help="feature channels of the first level (doubled at each level down)")
    p.add_argument("--levels", type=int, default=2, help="down-sampling steps")
    p.add_argument("--window-center", type=float, default=40.0, help="CT window centre (HU) mapped to 0.5")
    p.add_argument("--window-width", type=float, default=400.0, help="CT window width (HU)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", help="auto (CUDA when there is one), cpu or cuda")
    p.add_argument("--system-metrics-interval", type=float, default=10.0, help="seconds between system/... samples; 0: off")
    p.add_argument("--dataset-version", default=os.environ.get("CALIPER_DATASET_VERSION_ID"),
                   help="the sealed dataset version (default: the template's, from CALIPER_DATASET_VERSION_ID)")
    p.add_argument("--data-dir", default="data", help="where the dataset version is downloaded (kept: a rerun resumes)")
    p.add_argument("--out-dir", default="outputs", help="where the ONNX model is written before it is uploaded")
    p.add_argument("--project", help="not launched from a template: create a run in this project")
    args = p.parse_args(argv)
    for name in ("epochs", "batch_size", "image_size", "channels", "levels"):
        if getattr(args, name) < 1:
            p.error("--%s must be at least 1" % name.replace("_", "-"))
    if args.image_size % (2 ** args.levels):
        p.error("--image-size %d is not a multiple of 2^levels = %d" % (args.image_size, 2 ** args.levels))
    if not args.lr > 0:
        p.error("--lr must be positive")
    if not args.dataset_version:
        p.error("no dataset version: give --dataset-version, or launch from a template that names one")
    return args


def open_run(args):
    """The launched run (CALIPER_RUN_ID), or a new one in --project."""
    options = {"system_metrics_interval": args.system_metrics_interval or None}
    if os.environ.get("CALIPER_RUN_ID"):
        return caliper_client.launched_run(**options)
    if not args.project:
        raise SystemExit("not launched from a template (no CALIPER_RUN_ID): give --project to create a run")
    return caliper_client.start_run(args.project, experiment=EXPERIMENT, **options)


def build_model(torch, channels, levels):
    nn = torch.nn

    def block(i, o):
        return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(inplace=True),
                             nn.Conv2d(o, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(inplace=True))

    class UNet(nn.Module):
        def __init__(self):
            super().__init__()
            widths = [channels * 2 ** i for i in range(levels + 1)]
            self.down = nn.ModuleList([block(1, widths[0])] + [block(widths[i], widths[i + 1]) for i in range(levels)])
            self.up = nn.ModuleList([nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2) for i in reversed(range(levels))])
            self.merge = nn.ModuleList([block(2 * widths[i], widths[i]) for i in reversed(range(levels))])
            self.pool = nn.MaxPool2d(2)
            self.head = nn.Conv2d(widths[0], len(LABELS), 1)

        def forward(self, x):
            skips = []
            for i, enc in enumerate(self.down):
                x = enc(x if i == 0 else self.pool(x))
                skips.append(x)
            for up, merge, skip in zip(self.up, self.merge, reversed(skips[:-1])):
                x = merge(torch.cat([skip, up(x)], dim=1))
            return self.head(x)

    return UNet()


def loss_of(torch, logits, masks):
    """Cross-entropy plus (1 - soft Dice of the lesion channel)."""
    ce = torch.nn.functional.cross_entropy(logits, masks.long())
    p = torch.softmax(logits, dim=1)[:, 1]
    t = masks.float()
    soft_dice = (2 * (p * t).sum() + 1) / (p.sum() + t.sum() + 1)
    return ce + 1 - soft_dice


def train(args, run):
    import numpy as np
    import torch

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    threads = os.environ.get("SLURM_CPUS_PER_TASK")
    if threads and threads.isdigit():
        torch.set_num_threads(int(threads))
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else "cpu" if args.device == "auto" else args.device)

    started = time.time()
    client = run.client
    run.use_dataset(args.dataset_version)

    def load(split):
        # Each split in a folder of its own (each download writes its own labels.csv); a rerun keeps verified files.
        where = os.path.join(args.data_dir, split)
        client.download_dataset(args.dataset_version, where, split=split)
        return unet2d_data.load_split(where, split, args.image_size, args.window_center, args.window_width)
    (x_train, y_train), (x_val, y_val) = load("train"), load("val")
    if not len(x_train) or not len(x_val):
        raise unet2d_data.DataError("dataset version %s has %d train and %d val items with a PNG mask; both splits need some"
                                    % (args.dataset_version, len(x_train), len(x_val)))
    print("data: %d train, %d val items (%.1f s)" % (len(x_train), len(x_val), time.time() - started), flush=True)

    # Params the launch did not record already (a launched run has its template values as params).
    params = {"epochs": args.epochs, "lr": args.lr, "batch_size": args.batch_size, "image_size": args.image_size,
              "channels": args.channels, "levels": args.levels, "window_center": args.window_center,
              "window_width": args.window_width, "seed": args.seed, "dataset_version": args.dataset_version,
              "architecture": "UNet 2D, %d levels, %d channels" % (args.levels, args.channels), "optimizer": "adam",
              "loss": "cross-entropy + soft dice", "train_items": len(x_train), "val_items": len(x_val),
              "device": device.type, "torch_version": torch.__version__}
    known = set((run.info.get("params") or {}).keys())
    run.log_params({k: v for k, v in params.items() if k not in known})
    run.set_tags({"example": "tools/examples/unet2d"})

    model = build_model(torch, args.channels, args.levels).to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=args.lr)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    xv, yv = torch.from_numpy(x_val).to(device), torch.from_numpy(y_val).to(device)
    generator = torch.Generator().manual_seed(args.seed)
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        model.train()
        total, seen = 0.0, 0
        for batch in torch.randperm(len(xt), generator=generator).split(args.batch_size):
            x, y = xt[batch].to(device), yt[batch].to(device)
            if torch.rand(1, generator=generator).item() < 0.5:  # a horizontal flip, as augmentation
                x, y = x.flip(-1), y.flip(-1)
            optimiser.zero_grad()
            loss = loss_of(torch, model(x), y)
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
            seen += len(batch)
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(x) for x in xv.split(args.batch_size)])
            val_loss = loss_of(torch, logits, yv).item()
            val_dice = unet2d_data.dice(logits.argmax(1).cpu().numpy(), yv.cpu().numpy())
        metrics = {"train/loss": total / seen, "val/loss": val_loss, "val/dice": val_dice, "train/epoch_seconds": time.time() - t0}
        run.log_metrics(metrics, step=epoch)
        print("epoch %d/%d: train loss %.4f, val loss %.4f, val dice %.4f" % (epoch, args.epochs, metrics["train/loss"], val_loss, val_dice), flush=True)

    export(torch, model.cpu().eval(), args, run)


def export(torch, model, args, run):
    """ONNX opset 17 with a dynamic batch, and the spec to register it with, uploaded as model/…."""
    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, "model.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, args.image_size, args.image_size), path, opset_version=17,
                      input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}, do_constant_folding=True)
    spec = {
        "taskType": "segmentation",
        "preprocessing": {"window": {"center": args.window_center, "width": args.window_width},
                          "size": [args.image_size, args.image_size], "normalisation": {"kind": "none"}},
        "postprocessing": {"labels": LABELS, "threshold": 0.5},
    }
    spec_path = os.path.join(args.out_dir, "spec.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f, indent=2)
    uploaded = run.log_artifact(path, "model/model.onnx")
    run.log_artifact(spec_path, "model/spec.json")
    print("model: model/model.onnx (%d bytes, sha256 %s)" % (os.path.getsize(path), uploaded.get("sha256")), flush=True)


def main(argv=None):
    args = parse_args(argv)
    run = open_run(args)
    print("run %s" % run.run_id, flush=True)

    def stop(signum, _frame):
        raise KeyboardInterrupt("stopped by signal %d" % signum)
    signal.signal(signal.SIGTERM, stop)
    try:
        train(args, run)
    except KeyboardInterrupt as err:
        print("stopped: %s" % (err or "interrupted"), file=sys.stderr, flush=True)
        run.finish("killed")
        return 143
    except Exception:  # noqa: BLE001 - any failure ends the run failed, with the traceback in the job's log
        traceback.print_exc()
        try:
            run.finish("failed")
        except caliper_client.CaliperError as err:
            print("could not mark the run failed: %s" % err.message, file=sys.stderr)
        return 1
    run.finish("finished")
    print("finished run %s" % run.run_id, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
