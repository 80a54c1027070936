"""Segments: audiences by rule over contacts, compiled to SQL, and the jobs that target them."""
