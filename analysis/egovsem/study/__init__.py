"""``egovsem run``: the study's configuration, its steps, the simulated example and the draft text."""
