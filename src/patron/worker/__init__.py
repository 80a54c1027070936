"""Background loops: webhook delivery, bulk imports, housekeeping and the expiry events. They run
in `patron worker` processes, and inside `patron serve` unless PATRON_EMBEDDED_WORKER=false."""
