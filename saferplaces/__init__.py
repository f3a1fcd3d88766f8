"""saferplaces: an open platform on which a Community Safety Partnership runs its plan."""

__version__ = "0.1.0"
