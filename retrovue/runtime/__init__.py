"""Runtime: the station process, playout, the master clock and the as-run log."""
