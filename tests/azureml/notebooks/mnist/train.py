# Trains a logistic regression on the digits in --data-folder.
import argparse
import os

import joblib
import numpy as np
from azureml.core import Run
from sklearn.linear_model import LogisticRegression

parser = argparse.ArgumentParser()
parser.add_argument("--data-folder", type=str, dest="data_folder", help="data folder mounting point")
parser.add_argument("--regularization", type=float, dest="reg", default=0.01, help="regularization rate")
args = parser.parse_args()

data = np.load(os.path.join(args.data_folder, "digits.npz"))
X_train, y_train = data["X"][:-100], data["y"][:-100]
X_test, y_test = data["X"][-100:], data["y"][-100:]
print(X_train.shape, y_train.shape, X_test.shape, y_test.shape, sep="\n")

run = Run.get_context()
print("Train a logistic regression model with regularization rate of", args.reg)
clf = LogisticRegression(C=1.0 / args.reg, max_iter=1000, random_state=42)
clf.fit(X_train, y_train)

print("Predict the test set")
y_hat = clf.predict(X_test)
acc = np.average(y_hat == y_test)
print("Accuracy is", acc)

run.log("regularization rate", float(args.reg))
run.log("accuracy", float(acc))

os.makedirs("outputs", exist_ok=True)
joblib.dump(value=clf, filename="outputs/sklearn_mnist_model.pkl")
