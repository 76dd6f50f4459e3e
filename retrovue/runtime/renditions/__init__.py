"""Prepared renditions: items brought to the channel output profile once, then spliced."""
