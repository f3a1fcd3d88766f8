"""Loaders that validate source files and commit them to the analytic store.

No Django here: loaders are plain functions the CLI and the web both call.
"""
