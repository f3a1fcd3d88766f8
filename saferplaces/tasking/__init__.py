"""Tasking: the packs district tasking groups read before their meetings."""
