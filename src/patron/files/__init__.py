"""The drop folder (files the worker imports) and `patron ftp`, which serves it over FTPS."""
