"""Files that ``mlws demo`` copies into the workspace and runs (not imported)."""
