"""Demo training script: logistic regression with numpy on a synthetic data set."""

import argparse
import os

import numpy as np

from jupyter_mlws import Run

parser = argparse.ArgumentParser()
parser.add_argument("--learning-rate", type=float, default=0.5)
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--seed", type=int, default=7)
parser.add_argument("--data", help="folder of Parquet files (x0..x4, label) to train on")
parser.add_argument("--predictions", help="folder to write predictions.parquet into")
args = parser.parse_args()

run = Run.get_context()
run.log_params({"learning_rate": args.learning_rate, "epochs": args.epochs, "seed": args.seed})

rng = np.random.default_rng(args.seed)
n, d = 2000, 5
# Features on very different scales, the label decided mostly by the small ones: plain
# gradient descent finds those slowly, so test accuracy climbs epoch by epoch (on
# same-scale features the first step already lands near the best, a flat curve).
scales = np.array([3.0, 1.0, 0.5, 0.3, 0.2])
true_w = np.array([0.2, -0.5, 2.0, -3.0, 4.0])
x = rng.normal(size=(n, d)) * scales
y = (x @ true_w + 0.3 * rng.normal(size=n) > 0).astype(float)
if args.data:  # a dataset's files instead of the synthetic set (needs pandas, pyarrow)
    import glob

    import pandas as pd

    files = sorted(glob.glob(os.path.join(args.data, "**", "*.parquet"), recursive=True))
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    x, y = frame[[f"x{i}" for i in range(d)]].to_numpy(float), frame["label"].to_numpy(float)
cut = int(len(y) * 0.8)
x_train, y_train, x_test, y_test = x[:cut], y[:cut], x[cut:], y[cut:]

w = np.zeros(d)
b = 0.0
for epoch in range(args.epochs):
    p = 1 / (1 + np.exp(-(x_train @ w + b)))
    loss = -np.mean(y_train * np.log(p + 1e-9) + (1 - y_train) * np.log(1 - p + 1e-9))
    grad = p - y_train
    w -= args.learning_rate * x_train.T @ grad / len(y_train)
    b -= args.learning_rate * grad.mean()
    accuracy = np.mean(((x_test @ w + b) > 0) == y_test)
    run.log("loss", float(loss), step=epoch)
    run.log("accuracy", float(accuracy), step=epoch)
    if epoch % 10 == 0 or epoch == args.epochs - 1:
        print(f"epoch {epoch:3d}  loss {loss:.4f}  test accuracy {accuracy:.3f}")

os.makedirs("outputs", exist_ok=True)
np.savez("outputs/model.npz", w=w, b=b)
run.log_row("weights", **{f"w{i}": float(v) for i, v in enumerate(w)})
print("saved outputs/model.npz")
if args.predictions:
    import pandas as pd

    os.makedirs(args.predictions, exist_ok=True)
    scores = 1 / (1 + np.exp(-(x @ w + b)))
    path = os.path.join(args.predictions, "predictions.parquet")
    pd.DataFrame({"score": scores}).to_parquet(path)
