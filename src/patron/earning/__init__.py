"""Points earned by purchases under earning rules, and taken back by returns."""
