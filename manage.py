#!/usr/bin/env python
"""Django's command-line utility; ``saferplaces`` is the friendlier front door."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplaces.config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        sys.exit(f"saferplaces: configuration error: {error}")


if __name__ == "__main__":
    main()
