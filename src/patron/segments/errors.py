"""Errors of segments and assignment jobs."""

from patron.errors import error

SegmentNotFound = error(404, "SegmentNotFound", "No segment with that id.")
SegmentHasJobs = error(409, "SegmentHasJobs", "Assignment jobs target this segment; it cannot be deleted.")
AssignmentJobNotFound = error(404, "AssignmentJobNotFound", "No assignment job with that id.")
