"""Background loops: bulk imports and housekeeping. They run inside `patron serve`."""
