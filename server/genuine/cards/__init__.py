"""Badge cards: arrays loaded from the store, signals run over them, cards built and stored."""
