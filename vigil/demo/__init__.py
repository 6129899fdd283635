"""``vigil demo``: the whole loop on a simulated credit-risk model, with simulated time."""
