"""Pure scoring: one module per signal; numpy/scipy arrays in, results out.

No Flask and no database here, so signals can be tested, benchmarked and batch-run alike.
"""
