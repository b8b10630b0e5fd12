"""Training and evaluating the follower classifier (scikit-learn).

The signals only read the JSON model this writes."""
