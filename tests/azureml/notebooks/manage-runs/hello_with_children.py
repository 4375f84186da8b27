# A parent run that starts five child runs, each logging its number.
from azureml.core import Run

run = Run.get_context()
print("Starting five child runs...")
for c in range(5):
    with run.child_run() as child:
        child.log(name="Hello from child run", value=c)
print("All children are done.")
