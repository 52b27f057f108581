"""warmmap's benchmarks: each scenario measures against a named baseline in the same run."""
