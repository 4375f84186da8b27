# Trains a ridge regression on generated data and logs its error.
import argparse
import os

import joblib
import numpy as np
from azureml.core.run import Run
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser()
parser.add_argument("--alpha", type=float, default=0.5)
args = parser.parse_args()

rng = np.random.RandomState(42)
X = rng.rand(200, 4)
y = X @ np.array([1.0, -1.0, 2.0, 0.5]) + rng.normal(scale=0.1, size=200)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

run = Run.get_context()
model = Ridge(alpha=args.alpha).fit(X_train, y_train)
mse = mean_squared_error(y_test, model.predict(X_test))
run.log("alpha", args.alpha)
run.log("mse", mse)
print(f"alpha {args.alpha}: mse {mse:.4f}")

os.makedirs("outputs", exist_ok=True)
joblib.dump(value=model, filename=f"outputs/ridge_{args.alpha:.2f}.pkl")
