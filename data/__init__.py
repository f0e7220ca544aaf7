"""The course's data, shipped inside the wheel as ``comsim.data`` and read with
importlib.resources: every model parameter with its value, unit, range and source
(parameters.csv) and the named scenarios (scenarios.csv)."""
