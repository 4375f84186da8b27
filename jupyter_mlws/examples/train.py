"""Demo training script: logistic regression with numpy on a synthetic data set."""

import argparse
import os

import numpy as np

from jupyter_mlws import Run

parser = argparse.ArgumentParser()
parser.add_argument("--learning-rate", type=float, default=0.5)
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument("--seed", type=int, default=7)
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
x_train, y_train, x_test, y_test = x[:1600], y[:1600], x[1600:], y[1600:]

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
