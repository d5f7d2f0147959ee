"""The venue registry: the denominator of every coverage figure."""
