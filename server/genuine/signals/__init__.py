"""Pure scoring: one module per signal, numpy/scipy arrays in, results out. No Flask, no database."""
