"""saferplaces: the platform a Community Safety Partnership runs its plan on."""

__version__ = "0.1.0"
