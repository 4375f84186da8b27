# Waits until canceled (the notebook cancels it).
import time

from azureml.core import Run

run = Run.get_context()
print("Hello, waiting to be canceled")
while True:
    time.sleep(0.1)
