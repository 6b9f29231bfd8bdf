"""A short training loop that logs to Caliper with the dependency-free client.

    CALIPER_URL=https://caliper.example.org CALIPER_TOKEN=clp_... \\
        python3 example_train.py --project brain-tumour-seg --experiment unet-baseline

Prints the run id on its last line. The "model" is a toy logistic regression on synthetic data, so
the script runs anywhere in a second; a real script logs the same way from its own loop.
"""

import argparse
import json
import math
import os
import random
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import caliper_client  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", required=True)
    parser.add_argument("--experiment", default="example-train")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--steps-per-epoch", type=int, default=50)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--system-metrics-interval", type=float, default=10.0,
                        help="log CPU, memory and GPU use (system/... metrics) every this many seconds; 0 turns it off")
    args = parser.parse_args()

    rng = random.Random(7)
    data = [(x, 1 if x + rng.gauss(0, 0.5) > 0 else 0) for x in (rng.uniform(-2, 2) for _ in range(500))]
    w, b = 0.0, 0.0

    params = {"lr": args.lr, "epochs": args.epochs, "steps_per_epoch": args.steps_per_epoch, "model": "logistic"}
    # system_metrics_interval: a background thread samples CPU, memory and (with nvidia-smi) GPUs.
    with caliper_client.start_run(args.project, experiment=args.experiment, params=params, tags={"script": "example_train.py"},
                                  system_metrics_interval=args.system_metrics_interval) as run:
        step = 0
        for epoch in range(args.epochs):
            for _ in range(args.steps_per_epoch):
                x, y = data[rng.randrange(len(data))]
                p = 1 / (1 + math.exp(-(w * x + b)))
                loss = -(y * math.log(p + 1e-12) + (1 - y) * math.log(1 - p + 1e-12))
                w -= args.lr * (p - y) * x
                b -= args.lr * (p - y)
                run.log_metric("train/loss", loss, step)
                step += 1
            accuracy = sum((w * x + b > 0) == (y == 1) for x, y in data) / len(data)
            run.log_metrics({"val/accuracy": accuracy, "epoch": epoch}, step=epoch)

        with tempfile.TemporaryDirectory() as tmp:
            weights = os.path.join(tmp, "weights.json")
            with open(weights, "w") as f:
                json.dump({"w": w, "b": b}, f)
            run.log_artifact(weights, "model/weights.json")
    print(run.run_id)


if __name__ == "__main__":
    main()
