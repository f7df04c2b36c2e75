"""Tasks: the data, targets and metrics that say how good a zoo model is."""
