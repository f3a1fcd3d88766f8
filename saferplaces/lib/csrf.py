"""The CSRF token's stand-in in a kept page (lib/pagecache.py keeps pages;
the ``csrf_field`` tag writes the stand-in while a page is rendered to be
kept, and the page cache fills in the reader's token as it serves it)."""

# Cannot occur in a real token.
CSRF_PLACEHOLDER = "__saferplaces_csrf_token__"
