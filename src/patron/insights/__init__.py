"""What the console shows a marketer at a glance: sums and counts over a date range, each from
one aggregate query, and the look-ups its pages need that no API answers."""
