import json
import os

import joblib
import numpy as np


def init():
    global model
    # AZUREML_MODEL_DIR is the folder the model was deployed to (./azureml-models/$MODEL_NAME/$VERSION in v1)
    model_path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "sklearn_mnist_model.pkl")
    model = joblib.load(model_path)


def run(raw_data):
    data = np.array(json.loads(raw_data)["data"])
    y_hat = model.predict(data)
    return y_hat.tolist()
